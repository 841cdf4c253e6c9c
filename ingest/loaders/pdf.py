"""PDF files (pypdf): text per page, so every chunk knows its page."""

from __future__ import annotations

import io
from pathlib import Path

from assistant.errors import CorruptDocument, EmptyDocument
from ingest.document import LoadedDocument

PLACEHOLDER_TITLES = {"", "untitled", "untitled document", "microsoft word", "document"}


def load_pdf(data: bytes, name: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CorruptDocument(f"{name}: the PDF is encrypted")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except CorruptDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CorruptDocument(f"{name}: not a readable PDF ({exc})") from None
    if not any(pages):
        raise EmptyDocument(f"{name}: no extractable text (a scanned PDF needs OCR first)")
    text, starts = "", []
    for page_text in pages:
        if text:
            text += "\n\n"
        starts.append(len(text))
        text += page_text
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), Path(name).stem)
    meta_title = meta_title.strip()
    title = first_line if meta_title.lower() in PLACEHOLDER_TITLES else meta_title
    return LoadedDocument(text=text, title=title, page_starts=starts)
