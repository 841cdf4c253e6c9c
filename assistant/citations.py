"""Checking generated sentences against the passages they cite.

A sentence is supported when most of its content terms, and every number in it, appear in the passage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.passages import Passage
from assistant.text import terms

MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
MIN_SHARE = 0.6


def markers(sentence: str) -> list[int]:
    found: list[int] = []
    for group in MARKER.findall(sentence):
        found += [int(n) for n in re.split(r"\s*[,;]\s*", group)]
    return found


def strip_markers(sentence: str) -> str:
    return MARKER.sub("", sentence).strip()


def supported(sentence: str, passage: Passage) -> bool:
    claim = terms(sentence)
    if len(claim) < 2:
        return False
    source = set(terms(f"{passage.title} {passage.section or ''} {passage.text}"))
    share = sum(t in source for t in claim) / len(claim)
    numbers_ok = all(n in passage.text for n in _NUMBER.findall(sentence))
    return share >= MIN_SHARE and numbers_ok


def supporting_passage(sentence: str, cited: Sequence[int], passages: Sequence[Passage]) -> int | None:
    """Position (0-based) of the first cited passage that supports the sentence, if any."""
    text = strip_markers(sentence)
    for number in cited:
        if 1 <= number <= len(passages) and supported(text, passages[number - 1]):
            return number - 1
    return None
