"""Builders for real input files (PDF via reportlab, .docx via python-docx) used by the ingest tests."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

SUMMARY = re.compile(r"^added=(\d+) updated=(\d+) unchanged=(\d+) removed=(\d+) failed=(\d+)$")
ALLIANCE = str(Path(sys.executable).parent / "alliance")


def cli_env(data_dir: Path) -> dict[str, str]:
    """The environment for a subprocess `alliance` run over `data_dir`, offline, no stray ALLY_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLY_")}
    env.update(
        ALLY_DATA_DIR=str(data_dir),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        GRADIO_ANALYTICS_ENABLED="False",
    )
    return env


def pdf_bytes(pages: Sequence[Sequence[str]], title: str = "") -> bytes:
    """A PDF with one page per entry, each line drawn on its own row; `title` goes into the metadata."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setTitle(title)  # reportlab writes "untitled" unless told otherwise
    for lines in pages:
        y = 750
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def docx_bytes(blocks: Sequence[tuple[str, str]]) -> bytes:
    """A Word document from (style, text) pairs: style "h1", "h2", "h3" or "p"."""
    import docx

    document = docx.Document()
    for style, text in blocks:
        if style.startswith("h"):
            document.add_heading(text, level=int(style[1:]))
        else:
            document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def docx_with_broken_xml(blocks: Sequence[tuple[str, str]]) -> bytes:
    """A valid zip/docx package whose word/document.xml is cut in half (what a crashed save leaves)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(docx_bytes(blocks)))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return buf.getvalue()


def pdf_with_damaged_stream(pages: Sequence[Sequence[str]]) -> bytes:
    """A PDF whose page streams name a filter that does not exist (same length, so the xref stays valid)."""
    data = pdf_bytes(pages, title="Damaged")
    assert b"/ASCII85Decode" in data
    return data.replace(b"/ASCII85Decode", b"/ASCII86Decode")
