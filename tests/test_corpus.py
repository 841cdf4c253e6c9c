"""The shipped corpus: schema, vocabulary, ids, sizes and counts, and that no person is named."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from assistant import vocabulary
from ingest.frontmatter import split_front_matter

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
TOPICS = set(vocabulary.TOPICS)
LIFECYCLE = set(vocabulary.LIFECYCLE)
FOLDERS = {"articles": ("article", 12), "roundtables": ("roundtable", 8), "playbooks": ("playbook", 10)}
FIELDS = {"id", "title", "type", "topics", "lifecycle", "summary", "updated"}
FILES = sorted(CORPUS.rglob("*.md"))


def parse(path: Path) -> tuple[dict, str]:
    meta, body = split_front_matter(path.read_text())
    return meta, body


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_front_matter_schema(path: Path) -> None:
    meta, body = parse(path)
    assert set(meta) >= FIELDS, f"missing {FIELDS - set(meta)}"
    folder = path.parent.name
    assert meta["type"] == FOLDERS[folder][0]
    assert meta["id"] == path.stem
    assert set(meta["topics"]) <= TOPICS and meta["topics"]
    assert meta["lifecycle"] in LIFECYCLE
    assert isinstance(meta["updated"], dt.date)
    assert meta["summary"].strip() and meta["title"].strip()
    words = len(body.split())
    assert 400 <= words <= 1500, f"{words} words"


def test_per_type_minimum_counts_and_unique_ids() -> None:
    ids = [parse(p)[0]["id"] for p in FILES]
    assert len(ids) == len(set(ids))
    for folder, (_, minimum) in FOLDERS.items():
        assert len(list((CORPUS / folder).glob("*.md"))) >= minimum, folder
    assert {p.parent.name for p in FILES} == set(FOLDERS)


def test_roundtables_have_takeaways_and_playbooks_have_numbered_steps() -> None:
    for path in (CORPUS / "roundtables").glob("*.md"):
        body = parse(path)[1]
        assert re.search(r"^## Takeaways", body, re.M), path.name
        assert len(re.findall(r"^\s*[-*] ", body.split("## Takeaways")[1], re.M)) >= 3, path.name
    for path in (CORPUS / "playbooks").glob("*.md"):
        body = parse(path)[1]
        steps = re.findall(r"^\d+\. ", body, re.M)
        assert len(steps) >= 4, path.name
        assert "owner" in body.lower() and "timing" in body.lower(), path.name


def test_roundtables_name_no_people() -> None:
    honorifics = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof)\.? [A-Z][a-z]+")
    for path in (CORPUS / "roundtables").glob("*.md"):
        assert not honorifics.search(path.read_text()), path.name


def test_every_domain_fact_has_a_home() -> None:
    text = " ".join(parse(p)[1].lower() for p in FILES)
    facts = [
        "portfolio as a whole",
        "risk",
        "financial model",
        "milestone",
        "home region",
        "six months",
        "slack",
        "quick wins",
        "internal alignment",
        "corporate strategy",
        "executive sponsor",
        "scorecard",
        "kickoff",
        "face-to-face",
        "strategic fit",
        "operational fit",
        "cultural fit",
        "anonymous",
        "1–5",
        "4.6",
        "sunset",
        "poor communication",
        "two-thirds",
        "steering committee",
        "q4",
        "sanity check",
        "restart",
        "negotiation",
        "conflict resolution",
        "certification",
        "professional associations",
    ]
    missing = [f for f in facts if f not in text]
    assert not missing, missing


def test_yaml_is_strict() -> None:
    for path in FILES:
        head = path.read_text().split("---")[1]
        assert isinstance(yaml.safe_load(head), dict)
