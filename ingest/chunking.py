"""Heading-aware chunks: each keeps its section path, its character offsets and, for PDFs, its page.

Sections come from `#` headings; long sections are split by LangChain's recursive splitter.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.catalog import ChunkRecord
from assistant.text import indexable_text
from ingest.document import LoadedDocument

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass
class Section:
    path: str | None
    start: int
    end: int


def sections(text: str) -> list[Section]:
    """Spans of text between headings, each with the path of headings above it ("A > B")."""
    found: list[Section] = []
    stack: list[tuple[int, str]] = []
    cursor, path = 0, None
    for match in _HEADING.finditer(text):
        found.append(Section(path, cursor, match.start()))
        level = len(match.group(1))
        stack = [(lvl, name) for lvl, name in stack if lvl < level] + [(level, match.group(2).strip())]
        path = " > ".join(name for _, name in stack)
        cursor = match.end()
    found.append(Section(path, cursor, len(text)))
    return [s for s in found if text[s.start : s.end].strip()]


def chunk_id(doc_id: str, indexed: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{doc_id}\x1f{indexed}\x1f{occurrence}".encode()).hexdigest()
    return digest[:32]


class Chunker:
    def __init__(self, chunk_size: int = 1000, chunk_overlap: int = 120) -> None:
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=min(chunk_overlap, chunk_size // 2),
            add_start_index=True,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
        )

    def chunk(self, doc_id: str, doc: LoadedDocument) -> list[ChunkRecord]:
        chunks: list[ChunkRecord] = []
        seen: dict[str, int] = {}
        for section in sections(doc.text):
            body = doc.text[section.start : section.end]
            for piece in self.splitter.create_documents([body]):
                text = piece.page_content.strip()
                if not text:
                    continue
                start = (
                    section.start
                    + piece.metadata["start_index"]
                    + (len(piece.page_content) - len(piece.page_content.lstrip()))
                )
                indexed = indexable_text(doc.title, section.path, text)
                occurrence = seen.get(indexed, 0)
                seen[indexed] = occurrence + 1
                chunks.append(
                    ChunkRecord(
                        chunk_id=chunk_id(doc_id, indexed, occurrence),
                        doc_id=doc_id,
                        ordinal=len(chunks),
                        text=text,
                        section=section.path,
                        page=doc.page_at(start),
                        start=start,
                        end=start + len(text),
                    )
                )
        return chunks
