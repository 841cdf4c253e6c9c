"""Markdown and plain text, with optional YAML front matter."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.errors import CorruptDocument, EmptyDocument
from ingest.document import LoadedDocument
from ingest.frontmatter import read_front_matter

_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise CorruptDocument(f"{name}: not readable as text ({exc.reason})") from None


def _body(data: bytes, name: str) -> tuple[dict, str, list[str]]:
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise CorruptDocument(f"{name}: looks like a binary file, not text")
    meta, body, note = read_front_matter(decode(data, name).replace("\r\n", "\n"))
    if not body.strip():
        raise EmptyDocument(f"{name}: no text")
    return meta, body, [note] if note else []


def load_markdown(data: bytes, name: str) -> LoadedDocument:
    meta, body, warnings = _body(data, name)
    heading = _H1.search(body)
    title = str(meta.get("title") or (heading.group(1) if heading else Path(name).stem))
    return LoadedDocument(text=body, title=title.strip(), metadata=meta, warnings=warnings)


def load_text(data: bytes, name: str) -> LoadedDocument:
    meta, body, warnings = _body(data, name)
    first_line = next(line.strip() for line in body.splitlines() if line.strip())
    title = str(meta.get("title") or first_line)
    return LoadedDocument(text=body, title=title.strip(), metadata=meta, warnings=warnings)
