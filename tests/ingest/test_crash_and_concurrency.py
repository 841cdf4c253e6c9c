"""A killed ingest never leaves a listed document without its vectors, and the next run finishes the job;
answering keeps working while a sync writes."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

from assistant.catalog import Catalog
from assistant.embeddings import Embedder
from assistant.knowledge_base import KnowledgeBase
from assistant.passages import Answer
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.sync import Syncer
from tests.conftest import write_docs
from tests.ingest.builders import ALLIANCE, SUMMARY, cli_env

TOPICS = ["sponsors", "budgets", "scorecards", "renewals", "exits", "onboarding", "escalations", "pipelines"]


def many_docs(root: Path, count: int) -> Path:
    """`count` small Markdown documents of two sections (two chunks) each."""
    docs = {}
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        docs[f"batch/doc-{i:03d}.md"] = (
            f"# Alliance Note {i}\n\n"
            f"## Context\n\nNote {i} explains how the alliance team handles {topic} with partner number {i}.\n\n"
            f"## Practice\n\nFor partner {i} the sponsor reviews {topic} each quarter; ignoring {topic} hurts.\n"
        )
    return write_docs(root, docs)


def start_ingest(data: Path, corpus: Path) -> subprocess.Popen[str]:
    env = cli_env(data)
    env["ALLY_EMBED_BATCH_SIZE"] = "8"
    return subprocess.Popen(
        [ALLIANCE, "ingest", str(corpus)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_mid_ingest(data: Path, corpus: Path, timeout: float = 120) -> int | None:
    """Start an ingest and SIGKILL it once at least one document is listed; the listed count, or None
    when the process finished before it could be killed."""
    proc = start_ingest(data, corpus)
    catalog_path = data / "catalog.sqlite3"
    catalog: Catalog | None = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return None
            if catalog is None and catalog_path.exists():
                catalog = Catalog(catalog_path)
            if catalog is not None and (listed := catalog.document_count()) > 0:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                return listed if proc.returncode == -signal.SIGKILL else None
            time.sleep(0.02)
        raise AssertionError("the ingest listed no document in time")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        if catalog is not None:
            catalog.close()


def test_an_ingest_killed_midway_leaves_a_consistent_store_that_the_next_run_completes(tmp_path: Path) -> None:
    count, killed_at = 60, None
    for attempt in range(3):
        corpus = many_docs(tmp_path / f"corpus-{attempt}", count)
        data = tmp_path / f"data-{attempt}"
        killed_at = kill_mid_ingest(data, corpus)
        if killed_at is not None:
            break
        count *= 2  # it finished before we could kill it: give it more work
    assert killed_at is not None, "could not kill the ingest while it was running"

    settings = Settings(data_dir=data, _env_file=None)
    kb = KnowledgeBase(settings)  # opened as it was left: no repair()
    try:
        listed = kb.catalog.chunk_ids_by_document()
        stored = kb.vector_ids()
        assert 0 < len(listed) < count
        for doc in kb.documents():
            ids = listed.get(doc.doc_id, set())
            assert len(ids) == doc.chunk_count == 2, doc.doc_id
            assert ids <= stored, f"{doc.doc_id} is listed but {len(ids - stored)} of its vectors are missing"
        # what is listed is also what readers get back, text included
        chunks = kb.stored_chunks(sorted(set().union(*listed.values())))
        assert all(c.chunk.text for c in chunks.values())
    finally:
        kb.close()

    env = cli_env(data)
    env["ALLY_EMBED_BATCH_SIZE"] = "8"
    rerun = subprocess.run([ALLIANCE, "ingest", str(corpus)], env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    summary = SUMMARY.match(rerun.stdout.strip().splitlines()[-1])
    assert summary, rerun.stdout[-500:]
    added, updated, unchanged, removed, failed = map(int, summary.groups())
    assert failed == 0 and removed == 0
    assert added + updated + unchanged == count
    assert unchanged >= killed_at, "documents stored before the kill are not embedded again"

    catalog = Catalog(settings.catalog_path)
    try:
        assert catalog.document_count() == count
        assert {d.source for d in catalog.documents()} == {f"batch/doc-{i:03d}.md" for i in range(count)}
        assert catalog.pending() == {}
        catalog_ids = catalog.all_chunk_ids()
    finally:
        catalog.close()
    assert len(catalog_ids) == 2 * count
    vector_ids = _vector_ids(data)
    assert vector_ids == catalog_ids, (
        f"{len(vector_ids - catalog_ids)} orphan vector(s), {len(catalog_ids - vector_ids)} missing"
    )


def _vector_ids(data: Path) -> set[str]:
    """Chroma's ids, read by a fresh process so no client cache of this one can hide what is on disk."""
    script = (
        "import json, sys\n"
        "from assistant.settings import Settings\n"
        "from assistant.knowledge_base import KnowledgeBase\n"
        "kb = KnowledgeBase(Settings(data_dir=sys.argv[1], _env_file=None))\n"
        "print(json.dumps(sorted(kb.vector_ids())))\n"
    )
    python = str(Path(ALLIANCE).parent / "python")
    out = subprocess.run(
        [python, "-c", script, str(data)], env=cli_env(data), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


QUESTIONS = [
    "How do I run a health check with my partner?",
    "What should an autumn reset include?",
    "Which alliances should come first in my portfolio?",
    "How often should the sponsor review budgets?",
    "What is a good recipe for lemon cake?",
    "What trouble comes from ignoring escalations early?",
]


def check_answer(answer: Answer) -> None:
    if answer.abstained:
        assert answer.citations == []
        return
    assert answer.citations
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    indices = [c.index for c in answer.citations]
    assert markers == set(indices), (answer.answer, indices)
    assert indices == list(range(1, len(indices) + 1))
    for c in answer.citations:
        assert c.passage.text and c.snippet
        assert c.passage.title and c.passage.source


def test_answers_stay_well_formed_while_a_sync_writes(
    assistant: Assistant, syncer: Syncer, kb: KnowledgeBase, embedder: Embedder, tmp_path: Path
) -> None:
    more = many_docs(tmp_path / "more", 24)
    before = kb.document_count()
    errors: list[BaseException] = []
    answers: list[tuple[bool, Answer]] = []
    syncing = threading.Event()
    stop = threading.Event()
    lock = threading.Lock()
    result: dict = {}

    def ask_loop(offset: int) -> None:
        i = offset
        while not stop.is_set():
            try:
                during = syncing.is_set()
                answer = assistant.ask(QUESTIONS[i % len(QUESTIONS)])
                during = during or syncing.is_set()
                check_answer(answer)
                with lock:
                    answers.append((during, answer))
            except BaseException as exc:  # noqa: BLE001 - reported below
                with lock:
                    errors.append(exc)
                return
            i += 1

    def sync() -> None:
        syncing.set()
        try:
            result["report"] = syncer.sync_paths([more])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            syncing.clear()

    askers = [threading.Thread(target=ask_loop, args=(n,), daemon=True) for n in range(4)]
    for t in askers:
        t.start()
    writer = threading.Thread(target=sync, daemon=True)
    writer.start()
    writer.join(timeout=120)
    assert not writer.is_alive(), "the sync did not finish"
    time.sleep(0.3)  # a few answers after the sync as well
    stop.set()
    for t in askers:
        t.join(timeout=60)
        assert not t.is_alive()

    assert errors == [], repr(errors[:3])
    report = result["report"]
    assert report.failed == 0 and report.count("added") == 24
    assert kb.document_count() == before + 24
    assert sum(1 for during, _ in answers if during) >= 4, "no answers overlapped the sync"
    assert any(not a.abstained for _, a in answers)
    assert kb.vector_ids() == kb.catalog.all_chunk_ids()
    # the new documents are answerable right after the sync
    late = assistant.ask("How often should the sponsor review budgets with the partner?")
    check_answer(late)
    assert not late.abstained
    assert any(c.passage.source.startswith("batch/") for c in late.citations)
