"""Syncing folders into a real store: skip unchanged files, re-embed only what changed, keep Chroma,
the catalog and keyword search in step, fail bad files one by one, prune what is gone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.embeddings import Embedder
from assistant.knowledge_base import KnowledgeBase
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.sync import Syncer
from tests.conftest import SMALL_DOCS, write_docs
from tests.ingest.builders import docx_with_broken_xml, pdf_bytes, pdf_with_damaged_stream, write_bytes


def by_source(report) -> dict:  # noqa: ANN001
    return {o.source: o for o in report.outcomes}


def chroma_meta(kb: KnowledgeBase, ids: list[str]) -> dict[str, dict]:
    got = kb.collection.get(ids=ids, include=["metadatas"])
    return dict(zip(got["ids"], got["metadatas"], strict=True))


def assert_consistent(kb: KnowledgeBase) -> None:
    """Chroma holds exactly the chunks the catalog lists: nothing missing, no orphans."""
    assert kb.vector_ids() == kb.catalog.all_chunk_ids()


# -- skipping and incremental updates ----------------------------------------------------------------


def test_first_sync_adds_everything_and_a_second_sync_embeds_nothing(
    syncer: Syncer, kb: KnowledgeBase, embedder: Embedder, small_corpus: Path
) -> None:
    first = syncer.sync_paths([small_corpus])
    assert {o.source: o.status for o in first.outcomes} == {
        "articles/health.md": "added",
        "playbooks/reset.md": "added",
        "notes/priorities.txt": "added",
    }
    assert all(o.chunks >= 1 and o.embedded == o.chunks for o in first.outcomes)
    assert first.summary() == "added=3 updated=0 unchanged=0 removed=0 failed=0"
    assert kb.document_count() == 3
    assert_consistent(kb)
    vectors_before = kb.vector_ids()

    calls = embedder.calls
    second = syncer.sync_paths([small_corpus])
    assert embedder.calls == calls, "an unchanged folder must not be embedded again"
    assert [o.status for o in second.outcomes] == ["unchanged"] * 3
    assert all(o.embedded == 0 for o in second.outcomes)
    assert second.summary() == "added=0 updated=0 unchanged=3 removed=0 failed=0"
    assert kb.vector_ids() == vectors_before


def test_editing_one_paragraph_re_embeds_only_the_changed_chunk(
    syncer: Syncer, kb: KnowledgeBase, small_corpus: Path
) -> None:
    syncer.sync_paths([small_corpus])
    before_doc = kb.catalog.document("t-health")
    before_ids = kb.catalog.chunk_ids("t-health")
    assert len(before_ids) >= 2

    path = small_corpus / "articles/health.md"
    old_sentence = "The written comments in a health check survey matter more than the average scores."
    new_sentence = "The verbatim remarks in a health check questionnaire outweigh the numeric averages."
    text = path.read_text()
    assert old_sentence in text
    path.write_text(text.replace(old_sentence, new_sentence))

    report = syncer.sync_paths([small_corpus])
    outcome = by_source(report)["articles/health.md"]
    assert outcome.status == "updated"
    assert outcome.doc_id == "t-health"
    assert 0 < outcome.embedded < outcome.chunks
    assert by_source(report)["playbooks/reset.md"].status == "unchanged"

    after_doc = kb.catalog.document("t-health")
    after_ids = kb.catalog.chunk_ids("t-health")
    assert after_doc is not None and after_doc.content_hash != before_doc.content_hash
    assert after_doc.chunk_count == len(after_ids) == outcome.chunks
    stale = set(before_ids) - set(after_ids)
    kept = set(before_ids) & set(after_ids)
    assert stale and kept
    vectors = kb.vector_ids()
    assert not stale & vectors, "stale chunk vectors must be deleted from Chroma"
    assert not stale & kb.catalog.all_chunk_ids()
    assert_consistent(kb)
    # kept chunks were not re-embedded but their metadata follows the new version
    for meta in chroma_meta(kb, sorted(kept)).values():
        assert meta["content_hash"] == after_doc.content_hash
    # the text a user searches for is the new one
    stored = kb.stored_chunks(after_ids)
    assert any(new_sentence in c.chunk.text for c in stored.values())
    assert not any(old_sentence in c.chunk.text for c in stored.values())
    hits = [cid for cid, _ in kb.keyword_search("verbatim remarks questionnaire", 5)]
    assert hits and hits[0] in set(after_ids) - kept


def test_changing_only_the_title_re_embeds_the_document(syncer: Syncer, kb: KnowledgeBase, small_corpus: Path) -> None:
    syncer.sync_paths([small_corpus])
    path = small_corpus / "playbooks/reset.md"
    path.write_text(path.read_text().replace("title: Autumn Reset Playbook", "title: September Portfolio Reset"))
    outcome = by_source(syncer.sync_paths([small_corpus]))["playbooks/reset.md"]
    assert outcome.status == "updated"
    assert outcome.embedded == outcome.chunks
    assert kb.catalog.document("t-reset").title == "September Portfolio Reset"
    metas = chroma_meta(kb, kb.catalog.chunk_ids("t-reset"))
    assert {m["title"] for m in metas.values()} == {"September Portfolio Reset"}
    assert_consistent(kb)


# -- metadata ----------------------------------------------------------------------------------------


def test_stored_chunks_carry_the_document_metadata(syncer: Syncer, kb: KnowledgeBase, tmp_path: Path) -> None:
    root = write_docs(
        tmp_path / "corpus",
        {
            **SMALL_DOCS,
            "articles/plain.md": "# Plain Article\n\nAn article without front matter about partner trust.\n",
            "articles/override.md": """\
                ---
                id: t-override
                type: playbook
                topics: governance, sponsors
                ---
                # Override

                ## Cadence

                Front matter wins over the folder the file sits in.
                """,
            "top.md": "# Top Level\n\nA document at the root of the ingested folder.\n",
        },
    )
    write_bytes(
        root / "reports/q3.pdf",
        pdf_bytes(
            [["Quarter Three Report", "Pipeline grew with every strategic partner."], ["Risks remain in two regions."]],
            title="Q3 Partner Report",
        ),
    )
    report = syncer.sync_paths([root])
    assert report.failed == 0, [o.line() for o in report.outcomes]

    docs = {d.doc_id: d for d in kb.documents()}
    expected = {
        # doc id: (source, doc_type, topics, lifecycle)
        "t-health": ("articles/health.md", "article", ["health-checks"], "launch-and-management"),
        "t-reset": ("playbooks/reset.md", "playbook", ["resets"], None),
        "notes/priorities": ("notes/priorities.txt", "document", ["notes"], None),
        "articles/plain": ("articles/plain.md", "article", [], None),
        "t-override": ("articles/override.md", "playbook", ["governance", "sponsors"], None),
        "top": ("top.md", "document", [], None),
        "reports/q3": ("reports/q3.pdf", "document", ["reports"], None),
    }
    assert set(docs) == set(expected)
    for doc_id, (source, doc_type, topics, lifecycle) in expected.items():
        doc = docs[doc_id]
        assert (doc.source, doc.doc_type, doc.topics, doc.lifecycle) == (source, doc_type, topics, lifecycle), doc_id
        assert doc.path == str((root / source).resolve())
    assert docs["notes/priorities"].title == "Deciding Which Alliances Come First"
    assert docs["reports/q3"].title == "Q3 Partner Report"

    for doc_id, doc in docs.items():
        stored = kb.stored_chunks(kb.catalog.chunk_ids(doc_id))
        metas = chroma_meta(kb, list(stored))
        assert set(metas) == set(stored), doc_id
        for cid, meta in metas.items():
            chunk = stored[cid].chunk
            assert meta["doc_id"] == doc_id
            assert meta["source"] == doc.source
            assert meta["doc_type"] == doc.doc_type
            assert meta["title"] == doc.title
            assert meta["content_hash"] == doc.content_hash
            assert meta.get("topics", []) == doc.topics
            assert meta["section"] == (chunk.section or "")
            assert (meta["start"], meta["end"]) == (chunk.start, chunk.end)
            assert meta["page"] == (chunk.page if chunk.page is not None else -1)

    health = kb.stored_chunks(kb.catalog.chunk_ids("t-health"))
    assert {c.chunk.section for c in health.values()} == {"Why check health", "How to act on results"}
    override = kb.stored_chunks(kb.catalog.chunk_ids("t-override"))
    assert {c.chunk.section for c in override.values()} == {"Override > Cadence"}

    pdf_chunks = kb.stored_chunks(kb.catalog.chunk_ids("reports/q3")).values()
    pages = {c.chunk.page for c in pdf_chunks}
    assert 1 in pages
    pdf_metas = chroma_meta(kb, kb.catalog.chunk_ids("reports/q3"))
    assert all(m["page"] >= 1 for m in pdf_metas.values())
    non_pdf = chroma_meta(kb, kb.catalog.chunk_ids("t-health"))
    assert all(m["page"] == -1 for m in non_pdf.values())


def test_pdf_pages_reach_the_store(syncer: Syncer, kb: KnowledgeBase, tmp_path: Path) -> None:
    settings = syncer.settings.model_copy(update={"chunk_size": 200, "chunk_overlap": 0})
    small = Syncer(kb, syncer.embedder, settings)
    lines = [f"Line {i} of the first page is about onboarding a new partner." for i in range(5)]
    second = [f"Line {i} of the second page is about escalation paths." for i in range(5)]
    write_bytes(tmp_path / "in/manual.pdf", pdf_bytes([lines, second], title="Manual"))
    small.sync_paths([tmp_path / "in"])
    chunks = kb.stored_chunks(kb.catalog.chunk_ids("manual")).values()
    pages = {("first page" in c.chunk.text, "second page" in c.chunk.text): c.chunk.page for c in chunks}
    assert pages.get((True, False)) == 1
    assert pages.get((False, True)) == 2
    metas = chroma_meta(kb, kb.catalog.chunk_ids("manual"))
    assert {m["page"] for m in metas.values()} == {1, 2}


# -- failures ----------------------------------------------------------------------------------------


def test_bad_files_fail_one_by_one_with_a_reason_while_good_files_are_stored(
    kb: KnowledgeBase, embedder: Embedder, settings: Settings, tmp_path: Path
) -> None:
    small = settings.model_copy(update={"max_file_bytes": 2000})
    syncer = Syncer(kb, embedder, small)
    root = tmp_path / "mixed"
    write_docs(root, {"good.md": "# Good\n\nA good short document about partner governance.\n"})
    write_bytes(root / "broken.pdf", os.urandom(1500))
    write_bytes(root / "slides.xyz", b"some slides")
    write_bytes(root / "empty.md", b"")
    write_bytes(root / "blank.txt", b"\n \n\t\n")
    write_bytes(root / "huge.md", b"# Huge\n\n" + b"partner governance text. " * 200)

    report = syncer.sync_paths([root])
    outcomes = by_source(report)
    assert outcomes["good.md"].status == "added"
    failed = {o.source: (o.reason or "").lower() for o in report.outcomes if o.status == "failed"}
    assert set(failed) == {"broken.pdf", "slides.xyz", "empty.md", "blank.txt", "huge.md"}
    assert "pdf" in failed["broken.pdf"] and "readable" in failed["broken.pdf"]
    assert "unsupported" in failed["slides.xyz"] and ".xyz" in failed["slides.xyz"]
    assert "empty" in failed["empty.md"]
    assert "text" in failed["blank.txt"]
    assert "limit" in failed["huge.md"] and "2000" in failed["huge.md"]
    # the reason does not repeat the file name (the line already shows it)
    assert all(not reason.startswith(source) for source, reason in failed.items())
    assert outcomes["broken.pdf"].line().startswith("failed broken.pdf: ")
    assert report.summary() == "added=1 updated=0 unchanged=0 removed=0 failed=5"
    assert [d.source for d in kb.documents()] == ["good.md"]
    assert_consistent(kb)


def test_repaired_front_matter_is_stored_and_the_warning_is_shown_next_to_the_file(
    syncer: Syncer, kb: KnowledgeBase, tmp_path: Path
) -> None:
    root = write_docs(
        tmp_path / "colon",
        {
            "lic.md": "---\nid: lic-7\ntitle: Licensing: Committees\n---\n# Licensing\n\nWe meet monthly.\n",
            "fine.md": "---\nid: fine-1\n---\n# Fine\n\nA document whose front matter is valid.\n",
        },
    )
    first = by_source(syncer.sync_paths([root]))
    assert first["lic.md"].status == "added" and first["lic.md"].doc_id == "lic-7"
    assert "warning: front matter is not valid YAML" in first["lic.md"].line()
    assert first["fine.md"].warnings == [] and "warning" not in first["fine.md"].line()
    assert kb.catalog.document("lic-7").title == "Licensing: Committees"
    # the warning comes back on every sync until the file is fixed, even when nothing is re-embedded
    again = by_source(syncer.sync_paths([root]))["lic.md"]
    assert again.status == "unchanged" and again.warnings == first["lic.md"].warnings


@pytest.mark.parametrize(
    "name, data",
    [
        ("broken.docx", docx_with_broken_xml([("h1", "Onboarding"), ("p", "Onboarding takes ninety days.")])),
        ("damaged.pdf", pdf_with_damaged_stream([["Onboarding takes ninety days with the partner."]])),
    ],
    ids=["docx-with-broken-xml", "pdf-with-damaged-stream"],
)
def test_a_damaged_office_file_fails_alone_instead_of_aborting_the_sync(
    syncer: Syncer, kb: KnowledgeBase, tmp_path: Path, name: str, data: bytes
) -> None:
    root = write_docs(tmp_path / "corpus", {"a-good.md": "# Good\n\nGood text about partners.\n"})
    write_docs(root, {"z-good.md": "# Also Good\n\nMore good text about sponsors.\n"})
    write_bytes(root / name, data)
    report = syncer.sync_paths([root])
    outcomes = by_source(report)
    assert outcomes[name].status == "failed"
    assert outcomes[name].reason
    assert outcomes["a-good.md"].status == "added"
    assert outcomes["z-good.md"].status == "added"
    assert kb.document_count() == 2


def test_two_files_with_the_same_id_the_second_fails_naming_the_id(
    syncer: Syncer, kb: KnowledgeBase, tmp_path: Path
) -> None:
    root = write_docs(
        tmp_path / "corpus",
        {
            "a.md": "---\nid: shared-id\ntitle: First\n---\nThe first file about partner sponsors.\n",
            "b.md": "---\nid: shared-id\ntitle: Second\n---\nThe second file about partner budgets.\n",
        },
    )
    report = syncer.sync_paths([root])
    outcomes = by_source(report)
    assert outcomes["a.md"].status == "added"
    assert outcomes["b.md"].status == "failed"
    assert "shared-id" in outcomes["b.md"].reason
    doc = kb.catalog.document("shared-id")
    assert doc is not None and doc.source == "a.md" and doc.title == "First"
    assert kb.document_count() == 1
    # syncing again does not let the second file overwrite the first
    again = by_source(syncer.sync_paths([root]))
    assert again["a.md"].status == "unchanged"
    assert again["b.md"].status == "failed"
    assert kb.catalog.document("shared-id").title == "First"


def test_changing_the_front_matter_id_replaces_the_old_document(
    syncer: Syncer, kb: KnowledgeBase, small_corpus: Path
) -> None:
    syncer.sync_paths([small_corpus])
    old_chunks = set(kb.catalog.chunk_ids("t-reset"))
    path = small_corpus / "playbooks/reset.md"
    path.write_text(path.read_text().replace("id: t-reset", "id: t-autumn-reset"))

    report = syncer.sync_paths([small_corpus])
    outcome = by_source(report)["playbooks/reset.md"]
    assert outcome.status in ("added", "updated")
    assert outcome.doc_id == "t-autumn-reset"
    ids = {d.doc_id for d in kb.documents()}
    assert "t-reset" not in ids
    assert "t-autumn-reset" in ids
    assert kb.document_count() == 3
    assert not old_chunks & kb.vector_ids()
    assert_consistent(kb)
    hits = [cid for cid, _ in kb.keyword_search("audits the whole portfolio in September", 5)]
    assert hits and not old_chunks & set(hits)
    assert kb.stored_chunks(hits[:1])[hits[0]].chunk.doc_id == "t-autumn-reset"


def test_swapping_front_matter_ids_between_two_files_keeps_both_documents(
    syncer: Syncer, kb: KnowledgeBase, tmp_path: Path
) -> None:
    root = write_docs(
        tmp_path / "corpus",
        {
            "a.md": "---\nid: one\ntitle: Alpha\n---\nAlpha text about partner sponsors and budgets.\n",
            "b.md": "---\nid: two\ntitle: Beta\n---\nBeta text about steering committees and escalation.\n",
        },
    )
    syncer.sync_paths([root])
    for name, old, new in (("a.md", "id: one", "id: two"), ("b.md", "id: two", "id: one")):
        path = root / name
        path.write_text(path.read_text().replace(old, new))

    report = syncer.sync_paths([root])
    assert report.failed == 0, [o.line() for o in report.outcomes]
    docs = {d.doc_id: d for d in kb.documents()}
    assert set(docs) == {"one", "two"}, [o.line() for o in report.outcomes]
    assert (docs["two"].source, docs["two"].title) == ("a.md", "Alpha")
    assert (docs["one"].source, docs["one"].title) == ("b.md", "Beta")
    assert_consistent(kb)


# -- removal -----------------------------------------------------------------------------------------

PRIORITIES_QUERY = "rank every alliance on a grid of risk against value"


def retrievable(kb: KnowledgeBase, assistant: Assistant, embedder: Embedder, chunk_ids: set[str]) -> dict[str, bool]:
    """Whether each kind of search finds any of `chunk_ids` for the priorities question."""
    dense = {cid for cid, _ in kb.dense_search(embedder.embed_query(PRIORITIES_QUERY), 10)}
    keyword = {cid for cid, _ in kb.keyword_search(PRIORITIES_QUERY, 10)}
    passages = {p.chunk_id for p in assistant.search(PRIORITIES_QUERY, k=10)}
    return {
        "dense": bool(dense & chunk_ids),
        "keyword": bool(keyword & chunk_ids),
        "assistant": bool(passages & chunk_ids),
    }


def test_prune_removes_a_deleted_file_from_every_kind_of_search(
    settings: Settings, syncer: Syncer, kb: KnowledgeBase, embedder: Embedder, small_corpus: Path
) -> None:
    syncer.sync_paths([small_corpus])
    assistant = Assistant(settings, embedder=embedder, kb=kb)
    doc_id = "notes/priorities"
    chunk_ids = set(kb.catalog.chunk_ids(doc_id))
    assert chunk_ids
    assert retrievable(kb, assistant, embedder, chunk_ids) == {"dense": True, "keyword": True, "assistant": True}

    (small_corpus / "notes/priorities.txt").unlink()
    kept = syncer.sync_paths([small_corpus])
    assert kept.count("removed") == 0
    assert kb.catalog.document(doc_id) is not None, "without prune a missing file stays stored"

    report = syncer.sync_paths([small_corpus], prune=True)
    removed = [o for o in report.outcomes if o.status == "removed"]
    assert [(o.source, o.doc_id) for o in removed] == [("notes/priorities.txt", doc_id)]
    assert report.summary() == "added=0 updated=0 unchanged=2 removed=1 failed=0"
    assert kb.catalog.document(doc_id) is None
    assert doc_id not in {d.doc_id for d in kb.documents()}
    assert not chunk_ids & kb.vector_ids()
    assert_consistent(kb)
    assert retrievable(kb, assistant, embedder, chunk_ids) == {"dense": False, "keyword": False, "assistant": False}
    answer = assistant.ask("How do I decide which alliances in my portfolio come first?")
    assert all(c.passage.doc_id != doc_id for c in answer.citations)


def test_remove_document_removes_it_from_every_kind_of_search(
    settings: Settings, syncer: Syncer, kb: KnowledgeBase, embedder: Embedder, small_corpus: Path
) -> None:
    syncer.sync_paths([small_corpus])
    assistant = Assistant(settings, embedder=embedder, kb=kb)
    doc_id = "notes/priorities"
    chunk_ids = set(kb.catalog.chunk_ids(doc_id))
    assert retrievable(kb, assistant, embedder, chunk_ids) == {"dense": True, "keyword": True, "assistant": True}

    with kb.writing():
        removed = kb.remove_document(doc_id)
    assert removed == len(chunk_ids)
    assert kb.catalog.document(doc_id) is None
    assert not chunk_ids & kb.vector_ids()
    assert_consistent(kb)
    assert retrievable(kb, assistant, embedder, chunk_ids) == {"dense": False, "keyword": False, "assistant": False}
    # and a later sync of the folder brings it back
    report = syncer.sync_paths([small_corpus])
    assert by_source(report)["notes/priorities.txt"].status == "added"
    assert kb.catalog.document(doc_id) is not None


def test_prune_only_touches_the_folders_being_synced(syncer: Syncer, kb: KnowledgeBase, tmp_path: Path) -> None:
    one = write_docs(tmp_path / "one", {"x.md": "# X\n\nText about partner X.\n"})
    two = write_docs(tmp_path / "two", {"y.md": "# Y\n\nText about partner Y.\n"})
    syncer.sync_paths([one, two])
    assert kb.document_count() == 2
    (two / "y.md").unlink()
    report = syncer.sync_paths([one], prune=True)
    assert report.count("removed") == 0
    assert {d.source for d in kb.documents()} == {"x.md", "y.md"}
    report = syncer.sync_paths([one, two], prune=True)
    assert [o.source for o in report.outcomes if o.status == "removed"] == ["y.md"]
    assert {d.source for d in kb.documents()} == {"x.md"}


def test_a_renamed_file_is_stored_under_its_new_name_and_prune_drops_the_old(
    syncer: Syncer, kb: KnowledgeBase, small_corpus: Path
) -> None:
    syncer.sync_paths([small_corpus])
    (small_corpus / "notes/priorities.txt").rename(small_corpus / "notes/portfolio-priorities.txt")
    report = syncer.sync_paths([small_corpus], prune=True)
    statuses = {o.source: o.status for o in report.outcomes}
    assert statuses["notes/portfolio-priorities.txt"] == "added"
    assert statuses["notes/priorities.txt"] == "removed"
    assert {d.doc_id for d in kb.documents()} == {"t-health", "t-reset", "notes/portfolio-priorities"}
    assert_consistent(kb)


def test_sources_are_relative_to_the_folder_given(syncer: Syncer, kb: KnowledgeBase, small_corpus: Path) -> None:
    report = syncer.sync_paths([small_corpus / "articles", small_corpus / "notes/priorities.txt"])
    assert {o.source for o in report.outcomes} == {"health.md", "priorities.txt"}
    docs = {d.doc_id: d for d in kb.documents()}
    assert docs["t-health"].source == "health.md"
    # a single file given directly has no folder: it is a plain document
    assert docs["priorities"].doc_type == "document"
    assert docs["priorities"].topics == []
    # health.md keeps its front-matter type even though its folder is not named
    assert docs["t-health"].doc_type == "article"
