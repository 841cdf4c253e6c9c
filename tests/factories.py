"""Small builders shared by the unit tests."""

from __future__ import annotations

from assistant.passages import Passage


def make_passage(
    text: str,
    doc_id: str = "d",
    *,
    chunk_id: str | None = None,
    title: str | None = None,
    dense: float | None = None,
    keyword: float | None = None,
) -> Passage:
    """A retrieved passage of an article `doc_id` (source `<doc_id>.md`), with no section, page or topics."""
    return Passage(
        chunk_id=chunk_id or doc_id,
        doc_id=doc_id,
        title=title or doc_id,
        source=f"{doc_id}.md",
        section=None,
        page=None,
        doc_type="article",
        topics=[],
        lifecycle=None,
        text=text,
        dense=dense,
        keyword=keyword,
    )
