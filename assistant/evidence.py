"""How much the retrieved passages support answering at all; below the threshold the assistant abstains.

The score blends the best dense similarity with how many of the question's terms the top passages contain.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.passages import Passage
from assistant.text import terms

DENSE_WEIGHT = 0.7


def term_coverage(query: str, passages: Sequence[Passage]) -> float:
    wanted = set(terms(query))
    if not wanted:
        return 0.0
    found: set[str] = set()
    for passage in passages:
        found |= wanted & set(terms(f"{passage.title} {passage.section or ''} {passage.text}"))
    return len(found) / len(wanted)


def evidence_score(query: str, passages: Sequence[Passage]) -> float:
    if not passages:
        return 0.0
    best_dense = max((p.dense for p in passages if p.dense is not None), default=0.0)
    return DENSE_WEIGHT * best_dense + (1 - DENSE_WEIGHT) * term_coverage(query, passages[:3])
