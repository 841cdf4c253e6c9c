"""HTML pages: the main text only, with scripts, styles and navigation stripped."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, Tag

from assistant.errors import EmptyDocument
from ingest.document import LoadedDocument
from ingest.loaders.text import decode

_NOISE = [
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "svg",
    "iframe",
    "template",
]
_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "blockquote", "td", "th", "dt", "dd"]


def _block_text(element: Tag) -> str:
    text = " ".join(element.get_text(" ", strip=True).split())
    if element.name and element.name[0] == "h" and element.name[1:].isdigit():
        return f"{'#' * int(element.name[1:])} {text}"
    return text


def load_html(data: bytes, name: str) -> LoadedDocument:
    soup = BeautifulSoup(decode(data, name), "html.parser")
    title_tag = soup.find("title")
    h1 = soup.find("h1")
    for tag in soup.find_all(_NOISE):
        tag.decompose()
    for tag in soup.select("[role=navigation], [role=banner], [role=contentinfo]"):
        tag.decompose()
    main = soup.find("main") or soup.find("article") or soup.body or soup
    blocks = [el for el in main.find_all(_BLOCKS) if not el.find(_BLOCKS)]
    parts = [_block_text(el) for el in blocks] if blocks else [main.get_text("\n", strip=True)]
    text = "\n\n".join(part for part in parts if part.strip("# "))
    if not text.strip():
        raise EmptyDocument(f"{name}: no text in the page")
    title = next(
        (t.get_text(" ", strip=True) for t in (title_tag, h1) if t is not None and t.get_text(strip=True)),
        Path(name).stem,
    )
    return LoadedDocument(text=text, title=" ".join(title.split()))
