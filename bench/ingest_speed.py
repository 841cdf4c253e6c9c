"""Ingest throughput of the shipped corpus/ versus raw SentenceTransformer.encode on the same texts.

Both sides see the very texts Syncer embeds (Syncer's own preparation: Chunker + indexable_text) with the
same batch size, after the model is warm; each runs twice and the best run counts. Then the unchanged
corpus is synced again: it must take under 2 s and embed nothing.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, VENV_BIN, PartResult, Stopwatch, Table, Target, fmt, progress

CORPUS = ROOT / "corpus"
REPEATS = 3


def timed_embedder(settings: Any):  # noqa: ANN201
    """The product Embedder, also adding up the seconds its encode calls take (for the breakdown)."""
    from assistant.embeddings import Embedder

    class TimedEmbedder(Embedder):
        encode_seconds = 0.0

        def embed_documents(self, texts):  # noqa: ANN001, ANN202
            start = time.perf_counter()
            try:
                return super().embed_documents(texts)
            finally:
                self.encode_seconds += time.perf_counter() - start

    return TimedEmbedder(settings.embedding_model_path, settings.embed_batch_size)


def settings_for(data_dir: Path):  # noqa: ANN201
    from assistant.settings import Settings

    return Settings(data_dir=data_dir, _env_file=None)


def syncer_texts(scratch: Path, embedder: Any) -> list[str]:
    """What Syncer would embed for corpus/ into an empty store, from Syncer's own preparation step."""
    from assistant.knowledge_base import KnowledgeBase
    from assistant.text import indexable_text
    from ingest.sync import Prepared, Syncer, discover

    settings = settings_for(scratch)
    kb = KnowledgeBase(settings)
    syncer = Syncer(kb, embedder, settings)
    sources, _ = discover([CORPUS])
    texts: list[str] = []
    claimed: dict[str, str] = {}
    for src in sources:
        prepared = syncer._prepare(src, claimed, {})
        if isinstance(prepared, Prepared):
            texts += [indexable_text(prepared.doc.title, c.section, c.text) for c in prepared.to_embed]
    kb.close()
    return texts


def run(opts: Any) -> PartResult:
    from assistant.knowledge_base import KnowledgeBase
    from ingest.sync import Syncer

    result = PartResult("ingest", "ingest throughput of corpus/ vs raw encode; unchanged re-ingest")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        tmpdir = Path(tmp)
        base = settings_for(tmpdir / "probe")
        embedder = timed_embedder(base)
        texts = syncer_texts(tmpdir / "scratch", embedder)
        model = embedder.model

        def raw_encode() -> float:
            with Stopwatch() as watch:
                model.encode(
                    texts,
                    batch_size=base.embed_batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            return watch.seconds

        bar = progress(total=1 + 2 * REPEATS + 2, desc="ingest speed", unit="step")
        model.encode(texts[: 2 * base.embed_batch_size], batch_size=base.embed_batch_size, show_progress_bar=False)
        bar.update(1)

        raw_times, sync_runs = [], []
        last_dir = None
        for attempt in range(REPEATS):
            raw_times.append(raw_encode())
            bar.update(1)
            data_dir = tmpdir / f"store-{attempt}"
            settings = settings_for(data_dir)
            kb = KnowledgeBase(settings)
            calls, encode_before = embedder.calls, embedder.encode_seconds
            with Stopwatch() as watch:
                report = Syncer(kb, embedder, settings).sync_paths([CORPUS])
            embedded = sum(o.embedded for o in report.outcomes)
            stored = sorted(text for _, text in kb.catalog.iter_chunk_texts())
            encode_seconds = embedder.encode_seconds - encode_before
            sync_runs.append((watch.seconds, embedded, embedder.calls - calls, report, stored, encode_seconds))
            kb.close()
            last_dir = data_dir
            bar.update(1)

        # Unchanged corpus again, in this process (warm model, fresh KnowledgeBase object).
        settings = settings_for(last_dir)
        kb = KnowledgeBase(settings)
        calls = embedder.calls
        with Stopwatch() as again:
            report_again = Syncer(kb, embedder, settings).sync_paths([CORPUS])
        again_calls = embedder.calls - calls
        kb.close()
        bar.update(1)

        # The same through the CLI, cold process (import + model load included); information only.
        env = {**os.environ, "ALLY_DATA_DIR": str(last_dir)}
        with Stopwatch() as cli:
            proc = subprocess.run(
                [str(VENV_BIN / "alliance"), "ingest", str(CORPUS)], env=env, cwd=ROOT, capture_output=True, text=True
            )
        cli_summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
        bar.update(1)
        bar.close()

    n = len(texts)
    raw_best = min(raw_times)
    sync_best = min(sync_runs, key=lambda r: r[0])
    sync_seconds, embedded, sync_calls, report, stored, encode_seconds = sync_best
    raw_rate, sync_rate = n / raw_best, embedded / sync_seconds
    same_texts = stored == sorted(texts) and embedded == n
    result.tables.append(
        Table(
            f"Full ingest of corpus/ ({report.count('added')} files, {n} chunks), best of {REPEATS}",
            ["path", "runs (s)", "best s", "chunks", "chunks/s"],
            [
                [
                    f"raw SentenceTransformer.encode (one call, batch_size={base.embed_batch_size})",
                    ", ".join(fmt(t) for t in raw_times),
                    fmt(raw_best),
                    n,
                    fmt(raw_rate),
                ],
                [
                    f"Syncer.sync_paths into a fresh dir ({sync_calls} encode calls)",
                    ", ".join(fmt(r[0]) for r in sync_runs),
                    fmt(sync_seconds),
                    embedded,
                    fmt(sync_rate),
                ],
            ],
        )
    )
    result.tables.append(
        Table(
            "Re-ingest of the unchanged corpus/",
            ["path", "seconds", "embedding calls", "summary"],
            [
                ["Syncer.sync_paths, same process", fmt(again.seconds), again_calls, report_again.summary()],
                [
                    "`alliance ingest corpus` (new process; info only)",
                    fmt(cli.seconds),
                    "-",
                    f"exit {proc.returncode}: {cli_summary}",
                ],
            ],
        )
    )
    result.targets += [
        Target("Syncer / raw encode throughput", sync_rate / raw_rate, ">=", 0.85),
        Target("unchanged re-ingest seconds", again.seconds, "<", 2.0, " s"),
        Target("unchanged re-ingest embedding calls", again_calls, "<=", 0),
    ]
    result.notes.append(
        f"Texts compared: the {n} texts given to raw encode {'are exactly' if same_texts else 'DIFFER FROM'} "
        "the indexable texts the catalog stored after the Syncer run."
    )
    result.notes.append(
        f"Best Syncer run: {fmt(encode_seconds)} s inside Embedder.embed_documents ({sync_calls} calls), "
        f"{fmt(sync_seconds - encode_seconds)} s everything else (loading, chunking, Chroma, catalog, BM25 build)."
    )
    if report.failed:
        result.notes.append(
            f"{report.failed} file(s) failed to ingest: "
            + "; ".join(o.line() for o in report.outcomes if o.status == "failed")
        )
    return result
