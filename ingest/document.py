"""What a loader hands to the chunker: the text of a document, its title and its metadata."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LoadedDocument:
    """Text with Markdown-style `#` headings; `page_starts` maps offsets to PDF pages when known."""

    text: str
    title: str
    metadata: dict[str, Any] = field(default_factory=dict)
    page_starts: list[int] | None = None
    warnings: list[str] = field(default_factory=list)
    """What the loader had to repair to read the file (kept, and shown next to the file's outcome)."""

    def page_at(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        return bisect_right(self.page_starts, offset)
