"""The default composer: picks the sentences of the top passages that answer the question.

No LLM: every sentence of the answer is quoted from a passage, so every claim has its source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from assistant.answer_kinds import FREQUENCY, gives
from assistant.composers.base import Cited, Composition
from assistant.passages import Passage
from assistant.retrieval import near_duplicate
from assistant.text import is_story, led_sentences, terms

MIN_WORDS = 6
MAX_WORDS = 60
RELATIVE_CUTOFF = 0.45
# Two sentences repeat each other when the shorter states no figure the longer lacks, and they share most of their
# words (`near_duplicate`) or nearly all of the shorter one's words are in the longer one: "Results are best
# shown as a diagram of where the partners differ" adds nothing after "Show the results as a diagram of where
# the partners differ, and use the gaps...", while "Silver: $250,000 to $1 million, 2 percent" is not a repeat of
# "Gold: $1 million to $5 million, 4 percent".
SAME_WORDS = 0.6
CONTAINED = 0.7
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
# Playbook fields such as "Inputs: survey data." are labels, not answers, unless the question asks for what the
# field gives: its owner to "who...?", its timing to "how often...?" when that states a frequency.
_LABEL = re.compile(r"^(inputs?|outputs?|owners?|timing|roles?|when|step \d+)\s*:", re.IGNORECASE)
# A question that asks who is answered by a step's Owner field.
_ASKS_WHO = re.compile(r"\bwho(?:m|se)?\b", re.IGNORECASE)
# A question that asks how often (`answer_kinds.FREQUENCY`) is answered first by a sentence that states a
# frequency: "Run a joint health check about once a year for every strategic alliance, and every six months...".
FREQUENCY_BONUS = 0.2


@dataclass(frozen=True)
class Gist:
    """What a sentence says, for telling repeats apart: its terms and the figures it states."""

    terms: frozenset[str]
    figures: frozenset[str]

    @classmethod
    def of(cls, sentence: str) -> Gist:
        return cls(frozenset(terms(sentence)), frozenset(_FIGURE.findall(sentence)))

    def repeats(self, other: Gist) -> bool:
        """Whether the two sentences say the same thing (see SAME_WORDS and CONTAINED)."""
        shorter, longer = sorted((self, other), key=lambda gist: len(gist.terms))
        if not shorter.terms or not shorter.figures <= longer.figures:
            return False
        if near_duplicate(shorter.terms, longer.terms, SAME_WORDS):
            return True
        return len(shorter.terms & longer.terms) / len(shorter.terms) >= CONTAINED


class ExtractiveComposer:
    name = "extractive"

    def __init__(
        self,
        min_sentences: int = 2,
        max_sentences: int = 6,
        passages_used: int = 4,
        idf: Callable[[str], float] | None = None,
        long_question_words: int = 30,
    ) -> None:
        self.min_sentences = min_sentences
        self.max_sentences = max_sentences
        self.passages_used = passages_used
        self.idf = idf
        self.long_question_words = long_question_words

    def _candidates(self, question: str, passages: Sequence[Passage]) -> list[tuple[float, int, int, str]]:
        wanted = terms(question)
        # Rare words say more about what was asked than common ones.
        weights = {t: self.idf(t) if self.idf else 1.0 for t in wanted}
        total = sum(weights.values()) or 1.0
        frequency = FREQUENCY.statements(question)  # empty unless the question asks how often
        asks_who = _ASKS_WHO.search(question) is not None
        found = []
        for position, passage in enumerate(passages[: self.passages_used]):
            prior = 0.25 / (1 + position)
            context = set(terms(f"{passage.title} {passage.section or ''}"))
            for order, (sentence, lead) in enumerate(led_sentences(passage.text)):
                if sentence == lead:  # a step's name ("Analyse and draw the gap diagram.") heads an answer
                    continue
                label = _LABEL.match(sentence)
                if label:
                    # A step's field answers a question that asks for it (its owner, or how often it happens),
                    # quoted under the step's name, which says what it is the owner or timing of.
                    field = label.group(1).lower()
                    asked = (field in ("owner", "owners") and asks_who) or (
                        field == "timing" and gives(sentence, frequency)
                    )
                    if not asked or not lead:
                        continue
                    sentence = f"{lead if lead[-1] in '.!?:' else lead + '.'} {sentence}"
                bonus = FREQUENCY_BONUS if gives(sentence, frequency) else 0.0
                count = len(sentence.split())
                if count < MIN_WORDS or sentence.endswith(":"):
                    continue
                own = set(terms(sentence))
                overlap = sum(w for t, w in weights.items() if t in own) / total
                framed = sum(w for t, w in weights.items() if t in context and t not in own) / total
                score = overlap + 0.3 * framed + prior - 0.02 * order + bonus
                if count > MAX_WORDS:
                    score -= 0.15
                found.append((score, position, order, sentence))
        found.sort(key=lambda item: -item[0])
        return found

    def _leading_documents(self, question: str, passages: Sequence[Passage]) -> list[str]:
        """The documents a story's answer must draw on: the top one, the top one of each retriever, and the one
        closest to the sentences that ask.

        The words of a long question (a story) match many passages, so the sentence scores alone tend to keep the
        whole answer in the top-ranked document. When the dense model and BM25 each rank a different document
        first, the story could be about either practice, and the answer quotes both. The scene a story sets can
        outweigh what it asks ("...we got blindsided by late enrollment. What should we be tracking?"), so the
        passage closest to the asking sentences (`Passage.ask`) is quoted too. When they all agree, nothing is
        added and the answer stays with that document."""
        if not is_story(question, self.long_question_words):
            return []
        used = passages[: self.passages_used]
        leading = [used[0].doc_id] if used else []
        for score in (lambda p: p.dense, lambda p: p.keyword, lambda p: p.ask):
            scored = [(value, p.doc_id) for p in used if (value := score(p)) is not None]
            if scored:
                leading.append(max(scored)[1])
        return list(dict.fromkeys(leading))

    def compose(self, question: str, passages: Sequence[Passage]) -> Composition:
        """The answer at once: 2–6 sentences, the most direct first, repeats dropped."""
        candidates = self._candidates(question, passages)
        if not candidates:
            return Composition()
        best = candidates[0][0]
        chosen: list[tuple[float, int, int, str]] = []
        chosen_gists: list[Gist] = []

        def take(candidate: tuple[float, int, int, str]) -> bool:
            gist = Gist.of(candidate[3])
            if candidate in chosen or any(gist.repeats(other) for other in chosen_gists):
                return False
            chosen.append(candidate)
            chosen_gists.append(gist)
            return True

        for doc_id in self._leading_documents(question, passages)[: self.max_sentences]:
            for candidate in candidates:
                if passages[candidate[1]].doc_id == doc_id and take(candidate):
                    break
        for candidate in candidates:
            if len(chosen) >= self.max_sentences:
                break
            if len(chosen) >= self.min_sentences and candidate[0] < RELATIVE_CUTOFF * best:
                break
            take(candidate)
        chosen.sort(key=lambda candidate: -candidate[0])
        return Composition(sentences=[(sentence, position) for _, position, _, sentence in chosen])

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[Cited | Composition]:
        composition = self.compose(question, passages)
        yield from composition.sentences
        yield composition
