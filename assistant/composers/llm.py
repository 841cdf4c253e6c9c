"""An LLM composer over any LangChain chat model; its sentences must cite, and each is checked.

Sentences whose cited passage does not support them are dropped. If the provider fails, times out or
leaves nothing supported, the answer falls back to the extractive composer and says it is degraded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.citations import markers, strip_markers, supporting_passage
from assistant.composers.base import Cited, Composition
from assistant.composers.extractive import ExtractiveComposer
from assistant.passages import Passage
from assistant.text import split_sentences

log = logging.getLogger(__name__)

SYSTEM = (
    "You answer questions from alliance and partnership managers using ONLY the numbered passages given. "
    "Write 2 to 5 short sentences. End every sentence with the marker of the passage it comes from, like [1] "
    "or [2]. Do not add facts that are not in the passages. If the passages do not answer the question, "
    "reply exactly: NOT COVERED."
)


def prompt(question: str, passages: Sequence[Passage]) -> list:
    numbered = "\n\n".join(
        f"[{i}] {p.title}" + (f" — {p.section}" if p.section else "") + f"\n{p.text}"
        for i, p in enumerate(passages, start=1)
    )
    return [SystemMessage(SYSTEM), HumanMessage(f"Passages:\n\n{numbered}\n\nQuestion: {question}\n\nAnswer:")]


class LLMComposer:
    def __init__(self, model: BaseChatModel, name: str, fallback: ExtractiveComposer, max_sentences: int = 6) -> None:
        self.model = model
        self.name = name
        self.fallback = fallback
        self.max_sentences = max_sentences

    def _check(self, sentence: str, passages: Sequence[Passage], kept: list[Cited]) -> Cited | None:
        position = supporting_passage(sentence, markers(sentence), passages)
        text = strip_markers(sentence)
        if position is None or not text or any(text == s for s, _ in kept):
            log.info("dropped an unsupported sentence from %s", self.name)
            return None
        return text, position

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[Cited | Composition]:
        kept: list[Cited] = []
        buffer = ""
        try:
            for chunk in self.model.stream(prompt(question, passages)):
                buffer += str(chunk.content)
                sentences = split_sentences(buffer)
                if len(sentences) > 1:
                    for sentence in sentences[:-1]:
                        if len(kept) < self.max_sentences and (checked := self._check(sentence, passages, kept)):
                            kept.append(checked)
                            yield checked
                    buffer = sentences[-1]
            for sentence in split_sentences(buffer):
                if len(kept) < self.max_sentences and (checked := self._check(sentence, passages, kept)):
                    kept.append(checked)
                    yield checked
        except Exception as exc:  # any provider failure degrades to extractive, never to an error
            reason = f"{self.name} provider failed: {type(exc).__name__}: {str(exc)[:200]}"
            log.warning("%s", reason)
            yield from self._degrade(question, passages, kept, reason)
            return
        if not kept:
            yield from self._degrade(
                question, passages, kept, f"no sentence from {self.name} was supported by its citation"
            )
            return
        yield Composition(sentences=kept)

    def _degrade(
        self, question: str, passages: Sequence[Passage], kept: list[Cited], reason: str
    ) -> Iterator[Cited | Composition]:
        if kept:
            yield Composition(sentences=kept, degraded=True, degraded_reason=reason)
            return
        fallback = self.fallback.compose(question, passages)
        yield from fallback.sentences
        yield Composition(sentences=fallback.sentences, degraded=True, degraded_reason=reason)
