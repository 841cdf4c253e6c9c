"""Loaders turn each supported format into text with `#` headings, a title and metadata."""

from __future__ import annotations

import os
import textwrap

import pytest

from assistant.errors import CorruptDocument, EmptyDocument, UnsupportedFormat
from ingest.chunking import Chunker
from ingest.loaders import load
from tests.ingest.builders import docx_bytes, docx_with_broken_xml, pdf_bytes, pdf_with_damaged_stream


def md(text: str) -> bytes:
    return textwrap.dedent(text).encode()


# -- Markdown and plain text -------------------------------------------------------------------------


def test_markdown_front_matter_gives_metadata_and_title_and_is_not_in_the_text() -> None:
    doc = load(
        md(
            """\
            ---
            id: gov-101
            title: Governance Basics
            type: playbook
            topics: [governance, sponsors]
            lifecycle: launch-and-management
            ---
            # A Different Heading

            Steering committees meet every quarter with both executive sponsors.
            """
        ),
        "notes/governance.md",
    )
    assert doc.title == "Governance Basics"
    assert doc.metadata["id"] == "gov-101"
    assert doc.metadata["type"] == "playbook"
    assert doc.metadata["topics"] == ["governance", "sponsors"]
    assert doc.metadata["lifecycle"] == "launch-and-management"
    assert "---" not in doc.text and "lifecycle" not in doc.text
    assert doc.text.lstrip().startswith("# A Different Heading")
    assert "Steering committees meet every quarter" in doc.text


def test_front_matter_with_a_colon_in_the_title_keeps_its_id_title_and_topics() -> None:
    # Strict YAML rejects "title: A: B"; a curator's document must not lose its metadata over it.
    doc = load(
        md(
            """\
            ---
            id: lic-7
            title: Licensing Alliances: Committees and Milestones
            topics: [governance, life-sciences]
            lifecycle:
              - operate
            ---
            ## Why licensing deals need their own governance

            The joint steering committee meets every quarter until launch.
            """
        ),
        "notes/licensing.md",
    )
    assert doc.metadata["id"] == "lic-7"
    assert doc.title == "Licensing Alliances: Committees and Milestones"
    assert doc.metadata["topics"] == ["governance", "life-sciences"]
    assert doc.metadata["lifecycle"] == ["operate"]
    assert "lic-7" not in doc.text and doc.text.lstrip().startswith("## Why licensing")
    assert doc.warnings and "not valid YAML" in doc.warnings[0]


def test_valid_front_matter_brings_no_warning() -> None:
    doc = load(md('---\nid: ok-1\ntitle: "Quoted: Fine"\n---\nBody text.\n'), "notes/ok.md")
    assert doc.title == "Quoted: Fine" and doc.warnings == []


def test_front_matter_that_is_not_key_value_lines_is_left_in_the_text() -> None:
    doc = load(md("---\nthis is: [not closed\njust a sentence\n---\nBody text.\n"), "notes/odd.md")
    assert "id" not in doc.metadata
    assert "just a sentence" in doc.text
    assert doc.warnings == []


def test_markdown_without_front_matter_takes_its_title_from_the_first_h1() -> None:
    doc = load(
        md(
            """\
            Some intro line before any heading.

            ## Not the title

            # Joint Business Reviews

            Partners review the pipeline together every quarter.
            """
        ),
        "jbr.md",
    )
    assert doc.title == "Joint Business Reviews"
    assert doc.metadata == {}
    assert "Some intro line before any heading." in doc.text


def test_markdown_without_any_heading_falls_back_to_the_file_stem() -> None:
    doc = load(b"Just a paragraph about partner trust.\n", "folder/trust-notes.md")
    assert doc.title == "trust-notes"


def test_text_file_title_is_its_first_non_blank_line() -> None:
    doc = load(b"\n\n  Deciding Which Alliances Come First  \nRank every alliance on risk and value.\n", "p.txt")
    assert doc.title == "Deciding Which Alliances Come First"
    assert "Rank every alliance on risk and value." in doc.text


def test_windows_text_with_bom_and_crlf_loads_cleanly() -> None:
    data = "\ufeffPartner Exit Checklist\r\nAgree the exit terms in writing.\r\n".encode()
    doc = load(data, "exit.txt")
    assert doc.title == "Partner Exit Checklist"
    assert "\r" not in doc.text and "\ufeff" not in doc.text


def test_cp1252_text_is_decoded_not_rejected() -> None:
    data = "Caf\u00e9 partners\r\nThe partner\u2019s caf\u00e9 chain signed a co-marketing deal.\r\n".encode("cp1252")
    doc = load(data, "cafe.txt")
    assert doc.title == "Caf\u00e9 partners"
    assert "partner\u2019s caf\u00e9" in doc.text


# -- HTML --------------------------------------------------------------------------------------------

PAGE = b"""<!doctype html>
<html><head><title>Alliance Scorecards</title>
<style>.secret-style { color: red }</style>
<script>var trackingSecret = "should not appear";</script></head>
<body>
<nav><a href="/">Home navigation link</a></nav>
<main>
<h1>Shared Metrics</h1>
<p>Both partners agree on five shared metrics before launch.</p>
<h2>Review cadence</h2>
<p>The scorecard is reviewed at every steering committee.</p>
</main>
<footer>Copyright footer text</footer>
</body></html>"""


def test_html_keeps_the_main_text_and_drops_script_style_nav_and_footer() -> None:
    doc = load(PAGE, "scorecards.html")
    assert doc.title == "Alliance Scorecards"
    assert "Both partners agree on five shared metrics before launch." in doc.text
    assert "The scorecard is reviewed at every steering committee." in doc.text
    for noise in ("trackingSecret", "secret-style", "Home navigation link", "Copyright footer text"):
        assert noise not in doc.text
    # headings survive as `#` lines, so sections work for HTML too
    assert "# Shared Metrics" in doc.text
    assert "## Review cadence" in doc.text


def test_html_without_title_tag_takes_its_title_from_h1() -> None:
    doc = load(
        b"<html><body><h1>  Exit   Planning </h1><p>Plan the exit before signing the alliance deal.</p></body></html>",
        "exit.html",
    )
    assert doc.title == "Exit Planning"


def test_empty_html_page_is_an_empty_document() -> None:
    with pytest.raises(EmptyDocument):
        load(b"<html><head><script>only()</script></head><body><nav>menu</nav></body></html>", "blank.html")


# -- PDF ---------------------------------------------------------------------------------------------


def test_pdf_text_is_kept_per_page_with_title_from_metadata() -> None:
    data = pdf_bytes(
        [
            ["Quarterly Review Guide", "Page one talks about quarterly business reviews."],
            ["Page two covers escalation paths and steering committees."],
        ],
        title="Joint Planning Guide",
    )
    doc = load(data, "guide.pdf")
    assert doc.title == "Joint Planning Guide"
    assert doc.page_starts is not None and len(doc.page_starts) == 2
    one = doc.text.index("quarterly business reviews")
    two = doc.text.index("escalation paths")
    assert doc.page_at(one) == 1
    assert doc.page_at(two) == 2
    assert doc.text[doc.page_starts[1] :].startswith("Page two covers")


def test_pdf_without_metadata_title_takes_its_first_line() -> None:
    data = pdf_bytes([["Alliance Exit Notes", "The exit clause needs a notice period."]], title="")
    doc = load(data, "notes.pdf")
    assert doc.title == "Alliance Exit Notes"


# -- Word --------------------------------------------------------------------------------------------


def test_docx_headings_become_hash_lines_and_drive_the_section_path() -> None:
    data = docx_bytes(
        [
            ("h1", "Governance Handbook"),
            ("p", "This handbook explains how the alliance is governed day to day."),
            ("h2", "Steering Committee"),
            ("p", "The steering committee meets quarterly with both executive sponsors present."),
            ("h2", "Escalation"),
            ("p", "Disputes go to the sponsors within two weeks of being raised."),
        ]
    )
    doc = load(data, "handbook.docx")
    assert doc.title == "Governance Handbook"
    lines = doc.text.splitlines()
    assert "# Governance Handbook" in lines
    assert "## Steering Committee" in lines
    assert "## Escalation" in lines
    chunks = Chunker(200, 0).chunk("handbook", doc)
    by_text = {c.text: c.section for c in chunks}
    assert by_text["The steering committee meets quarterly with both executive sponsors present."] == (
        "Governance Handbook > Steering Committee"
    )
    assert by_text["Disputes go to the sponsors within two weeks of being raised."] == (
        "Governance Handbook > Escalation"
    )


# -- failures ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["slides.pptx", "data.xyz", "README"])
def test_unknown_extension_is_unsupported(name: str) -> None:
    with pytest.raises(UnsupportedFormat, match="unsupported format"):
        load(b"some text", name)


@pytest.mark.parametrize("name", ["empty.md", "empty.txt", "blank.md"])
def test_file_without_text_is_an_empty_document(name: str) -> None:
    data = b"" if name.startswith("empty") else b"\n  \n\t\n"
    with pytest.raises(EmptyDocument):
        load(data, name)


def test_markdown_with_only_front_matter_is_an_empty_document() -> None:
    with pytest.raises(EmptyDocument):
        load(b"---\ntitle: Nothing here\n---\n\n", "only-meta.md")


@pytest.mark.parametrize("name", ["report.pdf", "memo.docx"])
def test_binary_garbage_is_a_corrupt_document(name: str) -> None:
    garbage = os.urandom(4096)
    with pytest.raises(CorruptDocument, match="not a readable"):
        load(garbage, name)


def test_truncated_docx_is_a_corrupt_document() -> None:
    data = docx_bytes([("p", "A perfectly normal paragraph about partner onboarding.")])
    with pytest.raises(CorruptDocument):
        load(data[: len(data) // 2], "cut.docx")


def test_truncated_pdf_is_corrupt_or_empty_never_a_crash() -> None:
    data = pdf_bytes([["A page about partner onboarding and enablement."]], title="Onboarding")
    with pytest.raises((CorruptDocument, EmptyDocument)):
        load(data[: len(data) // 3], "cut.pdf")


def test_binary_file_named_txt_is_a_corrupt_document() -> None:
    with pytest.raises(CorruptDocument, match="binary"):
        load(b"\x00\x01\x02\x03" * 200, "image.txt")


def test_docx_with_broken_xml_inside_is_a_corrupt_document() -> None:
    # A real .docx package (valid zip, right content types) whose document.xml is truncated.
    data = docx_with_broken_xml([("h1", "Onboarding"), ("p", "Partner onboarding takes ninety days.")])
    with pytest.raises(CorruptDocument):
        load(data, "broken.docx")


def test_pdf_with_a_damaged_stream_is_reported_not_raised_raw() -> None:
    # A PDF whose page streams use an unknown filter: the loader must turn this into a domain error.
    data = pdf_with_damaged_stream([["Partner onboarding takes ninety days."]])
    with pytest.raises((CorruptDocument, UnsupportedFormat)):
        load(data, "damaged.pdf")
