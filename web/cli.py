"""The `alliance` command: ingest, ask, documents, remove and serve.

Output and exit codes follow the contract in ARCHITECTURE.md; errors become one line on stderr.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.errors import AssistantError, KnowledgeBaseEmpty, UserError
from assistant.settings import Settings

M_MMAP_THRESHOLD = -3  # glibc mallopt parameter
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Alliance best-practice assistant.")
log = logging.getLogger("alliance")


def _settings() -> Settings:
    return Settings()


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _setup_logging(level: int = logging.WARNING) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "chromadb", "bm25s", "sentence_transformers", "transformers", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    prune: Annotated[bool, typer.Option("--prune", help="Remove stored documents whose files are gone.")] = False,
) -> None:
    """Add or update documents; prints one line per file and a summary line last."""
    _setup_logging(logging.ERROR)
    from assistant.embeddings import Embedder
    from assistant.knowledge_base import KnowledgeBase
    from ingest.sync import discover
    from web.progress import IngestProgress

    settings = _settings()
    try:
        sources, folders = discover(paths)
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    from ingest.sync import Syncer

    kb = KnowledgeBase(settings)
    syncer = Syncer(kb, Embedder(settings.embedding_model_path, settings.embed_batch_size), settings)
    with IngestProgress(total_files=len(sources)) as progress:
        report = syncer.sync(sources, prune_folders=folders if prune else [], progress=progress.update)
    typer.echo(report.summary())
    raise typer.Exit(1 if report.failed else 0)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the /v1/ask response as JSON.")] = False,
) -> None:
    """Answer a question from the knowledge base, with citations."""
    _setup_logging(logging.ERROR)
    from assistant.service import Assistant
    from web.schemas import AskResponse

    try:
        answer = Assistant(_settings()).ask(question)
    except KnowledgeBaseEmpty as exc:
        raise _fail(str(exc), 1) from None
    except UserError as exc:
        raise _fail(str(exc), 2) from None
    if as_json:
        typer.echo(json.dumps(AskResponse.of(answer).model_dump(), indent=2, ensure_ascii=False))
        return
    typer.echo(answer.answer)
    if answer.citations:
        typer.echo("\nSources:")
        for c in answer.citations:
            section = f" — {c.passage.section}" if c.passage.section else ""
            typer.echo(f"[{c.index}] {c.passage.title}{section} ({c.passage.source})")


@app.command()
def documents(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List stored documents: id, title, type, source, chunks and ingestion time."""
    from assistant.catalog import Catalog

    settings = _settings()
    docs = Catalog(settings.catalog_path).documents() if settings.catalog_path.exists() else []
    if as_json:
        typer.echo(json.dumps([d.to_dict() for d in docs], indent=2))
        return
    if not docs:
        typer.echo("No documents. Add some with: alliance ingest corpus/")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "title", "type", "source", "chunks", "ingested")
    for d in docs:
        table.add_row(d.doc_id, d.title, d.doc_type, d.source, str(d.chunk_count), d.ingested_at)
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


@app.command()
def remove(doc_id: Annotated[str, typer.Argument(help="The id shown by `alliance documents`.")]) -> None:
    """Remove one document and all its chunks."""
    _setup_logging(logging.ERROR)
    from assistant.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(_settings())
    try:
        with kb.writing():
            removed = kb.remove_document(doc_id)
    except AssistantError as exc:
        raise _fail(str(exc), 1) from None
    typer.echo(f"removed {doc_id} ({removed} chunks)")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    corpus: Annotated[Path, typer.Option(help="Folder the curator tab re-syncs.")] = Path("corpus"),
) -> None:
    """Serve the API and the chat UI."""
    _setup_logging(logging.INFO)
    import uvicorn

    from web.app import create_app
    from web.security import ensure_curator_key_file

    settings = _settings()
    created = ensure_curator_key_file(settings)
    if created:
        log.info("created a curator key in %s (readable only by you)", created)
    elif settings.curator_key_file.exists():
        log.info("curator key file: %s", settings.curator_key_file)
    app_ = create_app(settings, corpus_dir=corpus.resolve())
    app_.state.services.assistant.warm_up()
    log.info("serving on http://%s:%d (API docs at /docs)", host, port)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


def _steady_memory() -> None:
    """Send large temporary buffers (embedding batches) straight to mmap, so they return to the system when
    freed: the heap stops fragmenting and peak memory stays flat however many documents an ingest streams."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def main() -> None:
    _steady_memory()
    app()


if __name__ == "__main__":
    main()
