"""How much the retrieved passages support answering at all; below the threshold the assistant abstains.

The score adds the best dense similarity, the IDF-weighted share of the question's terms found in the top
passages, and the best BM25 score relative to the question's total IDF, less a penalty when the question's
most specific term is nowhere in them. Weights and threshold were calibrated with `python -m bench.evaluate
--calibrate` on the evaluation set and checked on the held-out set.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.passages import Passage
from assistant.text import terms

WEIGHTS = {"dense": 1.0, "coverage": 0.4, "keyword": 0.6, "missing": -0.2}


@dataclass
class Evidence:
    dense: float
    coverage: float
    keyword: float
    missing: float

    @property
    def score(self) -> float:
        return sum(WEIGHTS[name] * getattr(self, name) for name in WEIGHTS)


def measure(query: str, passages: Sequence[Passage], idf: Callable[[str], float], max_idf: float) -> Evidence:
    if not passages:
        return Evidence(0.0, 0.0, 0.0, 1.0)
    wanted = set(terms(query))
    weights = {t: idf(t) for t in wanted}
    total = sum(weights.values()) or 1.0
    found: set[str] = set()
    for passage in passages[:3]:
        found |= wanted & set(terms(f"{passage.title} {passage.section or ''} {passage.text}"))
    return Evidence(
        dense=max((p.dense for p in passages if p.dense is not None), default=0.0),
        coverage=sum(weights[t] for t in found) / total,
        keyword=max((p.keyword or 0.0 for p in passages), default=0.0) / total,
        missing=max((weights[t] for t in wanted - found), default=0.0) / (max_idf or 1.0),
    )
