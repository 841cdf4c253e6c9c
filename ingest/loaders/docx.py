"""Word documents (python-docx): heading styles become the section path."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from assistant.errors import CorruptDocument, EmptyDocument
from ingest.document import LoadedDocument

_HEADING = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def load_docx(data: bytes, name: str) -> LoadedDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptDocument(f"{name}: not a readable .docx file ({exc})") from None
    lines: list[str] = []
    title = (document.core_properties.title or "").strip()
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = _HEADING.match(style)
        if style.lower() == "title":
            title = title or text
            lines.append(f"# {text}")
        elif level:
            lines.append(f"{'#' * int(level.group(1))} {text}")
        else:
            lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                lines.append(" | ".join(dict.fromkeys(cells)))
    if not lines:
        raise EmptyDocument(f"{name}: no text")
    if not title:
        title = next((ln.lstrip("# ") for ln in lines if ln.startswith("#")), Path(name).stem)
    return LoadedDocument(text="\n\n".join(lines), title=title)
