"""The `Assistant`: the one object the API, the chat UI and the CLI call to answer and search.

question (+ history) → standalone query → hybrid retrieval → evidence check → composer → cited answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.composers import Cited, Composer, Composition, ExtractiveComposer, cite
from assistant.embeddings import Embedder
from assistant.errors import InvalidQuestion, KnowledgeBaseEmpty
from assistant.evidence import Evidence, measure
from assistant.followup import Turn, standalone_query
from assistant.glossary import expand
from assistant.knowledge_base import KnowledgeBase
from assistant.passages import Answer, Filters, Passage
from assistant.providers import make_composer
from assistant.retrieval import Retriever
from assistant.scope import OffTopic
from assistant.scope_probe import NoProbe, ScopeProbe, probe_for
from assistant.settings import Settings

log = logging.getLogger(__name__)

COVERAGE = (
    "The knowledge base covers alliance and partnership management: prioritizing a portfolio, health checks, "
    "resets, governance, executive sponsorship, shared metrics, resourcing, exits and skills."
)
DECLINED = "I couldn't find this in the knowledge base."
EMPTY_HINT = "The knowledge base is empty. Add documents with `alliance ingest corpus/` (or upload them as a curator)."


@dataclass
class Delta:
    """A piece of the answer's text, for streaming."""

    text: str


class Assistant:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        kb: KnowledgeBase | None = None,
        composer: Composer | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or Embedder(settings.embedding_model_path, settings.embed_batch_size)
        self.kb = kb or KnowledgeBase(settings)
        self.extractive = ExtractiveComposer(
            settings.answer_min_sentences,
            settings.answer_max_sentences,
            idf=self.kb.keywords.idf,
            long_question_words=settings.long_query_words,
        )
        self.composer: Composer = composer or make_composer(settings, self.extractive)
        self.retriever = Retriever(self.kb, self.embedder, settings, _reranker(settings))
        self.off_topic = OffTopic(self.embedder)
        self._scope_probe: ScopeProbe | NoProbe | None = None

    # -- answering -------------------------------------------------------------------------------------

    def validate(self, question: str) -> str:
        question = question.strip()
        if not question:
            raise InvalidQuestion("the question is empty; ask something about alliance management")
        if len(question) > self.settings.max_question_chars:
            raise InvalidQuestion(
                f"the question is {len(question)} characters long; the limit is {self.settings.max_question_chars}"
            )
        return question

    def _prepare(
        self, question: str, history: Sequence[Turn], filters: Filters | None, top_k: int | None
    ) -> tuple[str, list[Passage], Composition, bool]:
        """Standalone query, passages, the extractive draft, and whether the evidence is too weak."""
        question = self.validate(question)
        if self.kb.document_count() == 0:
            raise KnowledgeBaseEmpty(EMPTY_HINT)
        query = standalone_query(question, history)
        searched = expand(query)
        retrieved = self.retriever.retrieve(searched, top_k, filters)
        passages = retrieved.passages
        draft = self.extractive.compose(searched, passages)
        evidence = self.evidence(searched, passages, draft, retrieved.dense_scores, retrieved.query_vector)
        threshold = self.settings.abstain_threshold
        if query != question and _conversation_in_scope(history):
            # A follow-up inside a conversation already answered from the corpus needs less evidence.
            threshold *= self.settings.followup_threshold_factor
        log.debug(
            "query=%r evidence=%.3f threshold=%.3f gaps=%s answer kinds=%s",
            searched,
            evidence.score,
            threshold,
            evidence.specialist_gaps,
            evidence.answer_support,
        )
        return query, passages, draft, not evidence.sufficient(threshold)

    def evidence(
        self,
        query: str,
        passages: Sequence[Passage],
        draft: Composition | None = None,
        dense_scores: Sequence[float] = (),
        query_vector: np.ndarray | None = None,
    ) -> Evidence:
        draft = draft if draft is not None else self.extractive.compose(query, passages)
        # A cited sentence is read under its document's title and section, so those count as answer text.
        framed = [
            f"{passages[pos].title} {passages[pos].section or ''} {sentence}" for sentence, pos in draft.sentences
        ]
        off_topic = self.off_topic.similarity(query_vector)
        in_domain = self.scope_probe.lean(query_vector)
        return measure(query, passages, framed, self.kb.keywords.idf, dense_scores, off_topic, in_domain)

    @property
    def scope_probe(self) -> ScopeProbe | NoProbe:
        """The shipped probe, loaded on first use (at warm-up) and checked against the embedding model."""
        if self._scope_probe is None:
            self._scope_probe = probe_for(self.embedder.name, self.embedder.dimension)
        return self._scope_probe

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        top_k: int | None = None,
    ) -> Answer:
        answer = None
        for event in self.stream(question, history, filters, top_k):
            if isinstance(event, Answer):
                answer = event
        assert answer is not None
        return answer

    def stream(
        self,
        question: str,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
        top_k: int | None = None,
    ) -> Iterator[Delta | Answer]:
        """Yield the answer's text in pieces as it is ready, then the whole `Answer`."""
        started = time.perf_counter()
        query, passages, draft, abstain = self._prepare(question, history, filters, top_k)
        if abstain or not draft.sentences:
            text = f"{DECLINED} {COVERAGE}"
            yield Delta(text)
            yield Answer(text, [], True, query)
            return
        source = draft if self.composer is self.extractive else None
        composition = yield from self._compose(expand(query), passages, source)
        text, citations = cite(composition, passages)
        log.info("answered in %.0f ms with %d citation(s)", 1000 * (time.perf_counter() - started), len(citations))
        yield Answer(
            text, citations, False, query, self.composer.name, composition.degraded, composition.degraded_reason
        )

    def _compose(
        self, query: str, passages: list[Passage], draft: Composition | None
    ) -> Generator[Delta, None, Composition]:
        """Stream each checked sentence with its marker as the composer produces it."""
        items: Iterable[Cited | Composition] = (
            [*draft.sentences, draft] if draft is not None else self.composer.stream(query, passages)
        )
        composition = Composition()
        numbers: dict[int, int] = {}
        emitted = 0
        for item in items:
            if isinstance(item, Composition):
                composition = item
                continue
            sentence, position = item
            number = numbers.setdefault(position, len(numbers) + 1)
            yield Delta(f"{' ' if emitted else ''}{sentence} [{number}]")
            emitted += 1
        return composition

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
        return self.retriever.retrieve(expand(self.validate(query)), k, filters).passages

    def warm_up(self) -> None:
        """Load the model, the store and the keyword index now rather than on the first question."""
        self.embedder.embed_query("warm up")
        self.off_topic.warm_up()
        _ = self.scope_probe
        self.kb.keyword_search("warm up", 1)
        self.kb.collection.count()

    # -- the knowledge base ----------------------------------------------------------------------------

    def status(self) -> dict:
        return {
            "documents": self.kb.document_count(),
            "embedding_model": self.embedder.name,
            "composer": self.composer.name,
            "collection": self.settings.collection,
        }


def _conversation_in_scope(history: Sequence[Turn]) -> bool:
    replies = [t.content for t in history if t.role == "assistant"]
    return not replies or not replies[-1].startswith(DECLINED)


def _reranker(settings: Settings):  # noqa: ANN202
    if settings.reranker_path is None:
        return None
    from assistant.reranking import Reranker

    return Reranker(settings.reranker_path)
