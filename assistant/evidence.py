"""How much the retrieved passages support answering at all; below the threshold the assistant abstains.

Three signals: the best dense similarity between the question and a passage; how far that best match stands
out from the question's background similarity to the corpus (ranks 11 and below), which adapts the score to
the size and make-up of the corpus; and how much of the question (its words weighted by IDF) the sentences
picked for the answer contain. Weights and threshold were calibrated with `python -m bench.evaluate
--calibrate` on the evaluation set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.passages import Passage
from assistant.text import terms

ANSWER_WEIGHT = 0.6
PEAK_WEIGHT = 0.5
BACKGROUND_FROM = 10


@dataclass
class Evidence:
    dense: float
    answer_coverage: float
    peak: float = 0.0

    @property
    def score(self) -> float:
        return self.dense + ANSWER_WEIGHT * self.answer_coverage + PEAK_WEIGHT * self.peak


def background(dense_scores: Sequence[float]) -> float:
    """Mean similarity of the tail of the dense ranking: how close the question is to the corpus at large."""
    tail = dense_scores[BACKGROUND_FROM:] or dense_scores[1:] or dense_scores
    return sum(tail) / len(tail) if tail else 0.0


def measure(
    query: str,
    passages: Sequence[Passage],
    sentences: Sequence[str],
    idf: Callable[[str], float],
    dense_scores: Sequence[float] = (),
) -> Evidence:
    if not passages or not sentences:
        return Evidence(0.0, 0.0)
    wanted = set(terms(query))
    weights = {t: idf(t) for t in wanted}
    total = sum(weights.values()) or 1.0
    found = wanted & set(terms(" ".join(sentences)))
    best = max((p.dense for p in passages if p.dense is not None), default=0.0)
    return Evidence(
        dense=best,
        answer_coverage=sum(weights[t] for t in found) / total,
        peak=best - background(dense_scores) if dense_scores else 0.0,
    )
