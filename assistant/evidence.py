"""How much the retrieved passages support answering at all; below the threshold the assistant abstains.

Two signals: the best dense similarity between the question and a passage, and how much of the question
(its words weighted by IDF) the sentences picked for the answer actually contain. Weights and threshold
were calibrated with `python -m bench.evaluate --calibrate` and checked on the held-out set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.passages import Passage
from assistant.text import terms

ANSWER_WEIGHT = 0.6


@dataclass
class Evidence:
    dense: float
    answer_coverage: float

    @property
    def score(self) -> float:
        return self.dense + ANSWER_WEIGHT * self.answer_coverage


def measure(query: str, passages: Sequence[Passage], sentences: Sequence[str], idf: Callable[[str], float]) -> Evidence:
    if not passages or not sentences:
        return Evidence(0.0, 0.0)
    wanted = set(terms(query))
    weights = {t: idf(t) for t in wanted}
    total = sum(weights.values()) or 1.0
    found = wanted & set(terms(" ".join(sentences)))
    return Evidence(
        dense=max((p.dense for p in passages if p.dense is not None), default=0.0),
        answer_coverage=sum(weights[t] for t in found) / total,
    )
