"""One loader per file format, chosen by extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.errors import AssistantError, CorruptDocument, UnsupportedFormat
from ingest.document import LoadedDocument
from ingest.loaders.docx import load_docx
from ingest.loaders.html import load_html
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_markdown, load_text

Loader = Callable[[bytes, str], LoadedDocument]

LOADERS: dict[str, Loader] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def loader_for(name: str) -> Loader:
    suffix = Path(name).suffix.lower()
    try:
        return LOADERS[suffix]
    except KeyError:
        shown = suffix or "no extension"
        raise UnsupportedFormat(f"unsupported format ({shown}); expected one of {', '.join(LOADERS)}") from None


def load(data: bytes, name: str) -> LoadedDocument:
    """Load raw bytes named `name` (only the extension and stem matter).

    Parsers of binary formats raise all sorts of errors on damaged files; every one becomes CorruptDocument."""
    loader = loader_for(name)
    try:
        return loader(data, name)
    except AssistantError:
        raise
    except Exception as exc:
        raise CorruptDocument(f"{name}: damaged or unreadable file ({type(exc).__name__}: {exc})"[:300]) from None
