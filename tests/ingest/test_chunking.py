"""Chunks keep their section path, exact offsets into the document text, stable ids and PDF pages."""

from __future__ import annotations

import textwrap

from ingest.chunking import Chunker, sections
from ingest.document import LoadedDocument
from ingest.loaders import load
from tests.ingest.builders import pdf_bytes

DOC = textwrap.dedent(
    """\
    Opening words before any heading, about why alliances matter.

    # Governance

    Governance sets who decides what in the alliance.

    ## Steering Committee

    The steering committee meets every quarter with both sponsors.

    ### Agenda

    Every agenda starts with the shared scorecard.

    ## Escalation

    Disputes go to the executive sponsors within two weeks.

    # Metrics

    Shared metrics are agreed before launch.
    """
)


def test_section_paths_follow_the_heading_hierarchy() -> None:
    chunks = Chunker(1000, 100).chunk("gov", LoadedDocument(text=DOC, title="Guide"))
    section_of = {c.text: c.section for c in chunks}
    assert section_of["Opening words before any heading, about why alliances matter."] is None
    assert section_of["Governance sets who decides what in the alliance."] == "Governance"
    assert section_of["The steering committee meets every quarter with both sponsors."] == (
        "Governance > Steering Committee"
    )
    assert section_of["Every agenda starts with the shared scorecard."] == "Governance > Steering Committee > Agenda"
    # a sibling heading replaces the deeper ones, a new top heading resets the path
    assert section_of["Disputes go to the executive sponsors within two weeks."] == "Governance > Escalation"
    assert section_of["Shared metrics are agreed before launch."] == "Metrics"
    # headings themselves are not chunk text
    assert not any(c.text.startswith("#") for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_empty_sections_produce_no_chunk() -> None:
    text = "# Only Heading\n\n## Empty Child\n\n## Child With Text\n\nSome text under the child.\n"
    spans = sections(text)
    assert [s.path for s in spans] == ["Only Heading > Child With Text"]
    chunks = Chunker(1000, 0).chunk("d", LoadedDocument(text=text, title="T"))
    assert [(c.section, c.text) for c in chunks] == [("Only Heading > Child With Text", "Some text under the child.")]


def long_section_text() -> str:
    sentences = [
        f"Point {i}: the alliance manager reviews partner pipeline number {i} with the sponsor each month."
        for i in range(40)
    ]
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, 40, 4)]
    return "# Pipeline Reviews\n\n" + "\n\n".join(paragraphs) + "\n\n# Short\n\nA short closing section.\n"


def test_long_sections_split_into_several_chunks_under_the_size() -> None:
    text = long_section_text()
    chunks = Chunker(300, 50).chunk("pipe", LoadedDocument(text=text, title="Reviews"))
    pipeline = [c for c in chunks if c.section == "Pipeline Reviews"]
    assert len(pipeline) >= 10
    assert all(len(c.text) <= 300 for c in chunks)
    # together they cover every sentence of the section
    joined = " ".join(c.text for c in pipeline)
    for i in range(40):
        assert f"Point {i}:" in joined
    assert [c.section for c in chunks][-1] == "Short"


def test_chunk_offsets_index_the_document_text_exactly() -> None:
    text = long_section_text() + "\n" + DOC + "\n   Indented paragraph at the end, with leading spaces.\n"
    doc = LoadedDocument(text=text, title="Mixed")
    chunks = Chunker(250, 60).chunk("mixed", doc)
    assert len(chunks) > 10
    for c in chunks:
        assert text[c.start : c.end] == c.text, c
    starts = [c.start for c in chunks]
    assert starts == sorted(starts)


def test_offsets_are_exact_for_repeated_paragraphs() -> None:
    para = (
        "The same sentence is repeated in several places of this alliance document, "
        "so a naive search for its text would find the first copy every time."
    )
    assert 120 < len(para) < 200
    text = f"# One\n\n{para}\n\n{para}\n\n# Two\n\n{para}\n"
    chunks = Chunker(200, 0).chunk("rep", LoadedDocument(text=text, title="T"))
    assert len(chunks) == 3
    assert all(text[c.start : c.end] == c.text for c in chunks)
    # each occurrence points at its own place and gets its own id
    assert len({c.start for c in chunks}) == 3
    assert len({c.chunk_id for c in chunks}) == 3


def test_offsets_are_exact_after_markdown_front_matter() -> None:
    data = b"---\ntitle: Front\ntopics: [a]\n---\n# Heading\n\nBody text right after the front matter.\n"
    doc = load(data, "f.md")
    chunks = Chunker(1000, 0).chunk("f", doc)
    assert [c.text for c in chunks] == ["Body text right after the front matter."]
    assert doc.text[chunks[0].start : chunks[0].end] == chunks[0].text


def test_chunk_ids_are_stable_and_depend_on_the_document_id() -> None:
    doc = LoadedDocument(text=DOC, title="Guide")
    first = [c.chunk_id for c in Chunker(1000, 100).chunk("gov", doc)]
    again = [c.chunk_id for c in Chunker(1000, 100).chunk("gov", LoadedDocument(text=DOC, title="Guide"))]
    other = [c.chunk_id for c in Chunker(1000, 100).chunk("gov-copy", doc)]
    assert first == again
    assert len(set(first)) == len(first)
    assert not set(first) & set(other)


def test_editing_one_paragraph_changes_only_that_chunks_id() -> None:
    edited = DOC.replace("within two weeks", "within ten working days")
    before = Chunker(1000, 100).chunk("gov", LoadedDocument(text=DOC, title="Guide"))
    after = Chunker(1000, 100).chunk("gov", LoadedDocument(text=edited, title="Guide"))
    changed = {c.chunk_id for c in after} - {c.chunk_id for c in before}
    assert len(changed) == 1
    assert [c.text for c in after if c.chunk_id in changed] == [
        "Disputes go to the executive sponsors within ten working days."
    ]


def test_title_is_part_of_the_chunk_identity() -> None:
    # the title is embedded with every chunk, so a new title must give new ids (and new vectors)
    a = Chunker(1000, 0).chunk("d", LoadedDocument(text=DOC, title="Old Title"))
    b = Chunker(1000, 0).chunk("d", LoadedDocument(text=DOC, title="New Title"))
    assert not {c.chunk_id for c in a} & {c.chunk_id for c in b}


def test_pdf_chunks_carry_their_page_number() -> None:
    page_one = [f"Page one line {i}: onboarding tasks for the new partner team." for i in range(8)]
    page_two = [f"Page two line {i}: escalation rules for the steering committee." for i in range(8)]
    page_three = ["Page three: the exit checklist."]
    doc = load(pdf_bytes([page_one, page_two, page_three], title="Manual"), "manual.pdf")
    chunks = Chunker(200, 0).chunk("manual", doc)
    assert len(chunks) >= 4
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        if c.text.startswith("Page one"):
            assert c.page == 1, c
        elif c.text.startswith("Page two"):
            assert c.page == 2, c
        elif c.text.startswith("Page three"):
            assert c.page == 3, c
    assert {c.page for c in chunks} == {1, 2, 3}


def test_non_pdf_chunks_have_no_page() -> None:
    chunks = Chunker(1000, 0).chunk("d", load(b"# T\n\nSome text.\n", "d.md"))
    assert [c.page for c in chunks] == [None]
