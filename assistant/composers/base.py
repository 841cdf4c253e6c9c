"""What every composer yields, and how cited sentences become an answer and a citation list."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.passages import Citation, Passage

Cited = tuple[str, int]
"""A sentence without markers, and the position of the passage that supports it."""


@dataclass
class Composition:
    sentences: list[Cited] = field(default_factory=list)
    degraded: bool = False
    degraded_reason: str | None = None


class Composer(Protocol):
    name: str

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[Cited | Composition]:
        """Yield each checked sentence as soon as it is ready, then the whole `Composition`."""
        ...


def compose(composer: Composer, question: str, passages: Sequence[Passage]) -> Composition:
    result = Composition()
    for item in composer.stream(question, passages):
        if isinstance(item, Composition):
            result = item
    return result


def cite(composition: Composition, passages: Sequence[Passage]) -> tuple[str, list[Citation]]:
    """Number the passages in order of first use and append `[n]` to every sentence."""
    numbers: dict[int, int] = {}
    snippets: dict[int, list[str]] = {}
    parts: list[str] = []
    for sentence, position in composition.sentences:
        number = numbers.setdefault(position, len(numbers) + 1)
        snippets.setdefault(position, []).append(sentence)
        parts.append(f"{sentence} [{number}]")
    citations = [
        Citation(index=number, passage=passages[position], snippet=" ".join(snippets[position]))
        for position, number in sorted(numbers.items(), key=lambda item: item[1])
    ]
    return " ".join(parts), citations
