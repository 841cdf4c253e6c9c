"""The catalog: which documents are stored, their chunks and texts, in one SQLite file.

A document is listed only after its chunks are in the vector store, and every change is one transaction,
so a crash never leaves a listed document with missing chunks.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.text import indexable_text, keyword_text

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    source TEXT NOT NULL,
    path TEXT,
    topics TEXT NOT NULL,
    lifecycle TEXT,
    date TEXT,
    summary TEXT,
    content_hash TEXT NOT NULL,
    chunk_count INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    section TEXT,
    page INTEGER,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS pending (
    doc_id TEXT PRIMARY KEY,
    chunk_ids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class DocumentRecord:
    doc_id: str
    title: str
    doc_type: str
    source: str
    content_hash: str
    topics: list[str] = field(default_factory=list)
    lifecycle: str | None = None
    date: str | None = None
    summary: str | None = None
    path: str | None = None
    chunk_count: int = 0
    ingested_at: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ChunkRecord:
    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    section: str | None
    page: int | None
    start: int
    end: int


@dataclass
class StoredChunk:
    """A chunk with the fields of its document that retrieval and citations need."""

    chunk: ChunkRecord
    title: str
    source: str
    doc_type: str
    topics: list[str]
    lifecycle: str | None


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Iterable = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # -- reads -----------------------------------------------------------------------------------------

    def generation(self) -> int:
        rows = self._query("SELECT value FROM meta WHERE key = 'generation'")
        return int(rows[0]["value"]) if rows else 0

    def document_count(self) -> int:
        return int(self._query("SELECT COUNT(*) AS n FROM documents")[0]["n"])

    def documents(self) -> list[DocumentRecord]:
        return [_document(row) for row in self._query("SELECT * FROM documents ORDER BY doc_id")]

    def document(self, doc_id: str) -> DocumentRecord | None:
        rows = self._query("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return _document(rows[0]) if rows else None

    def chunk_ids(self, doc_id: str) -> list[str]:
        rows = self._query("SELECT chunk_id FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [row["chunk_id"] for row in rows]

    def all_chunk_ids(self) -> set[str]:
        return {row["chunk_id"] for row in self._query("SELECT chunk_id FROM chunks")}

    def chunk_ids_by_document(self) -> dict[str, set[str]]:
        grouped: dict[str, set[str]] = {}
        for row in self._query("SELECT doc_id, chunk_id FROM chunks"):
            grouped.setdefault(row["doc_id"], set()).add(row["chunk_id"])
        return grouped

    def _chunk_rows(self) -> list[sqlite3.Row]:
        """Every chunk with its document's title and summary, in a stable order."""
        return self._query(
            "SELECT c.chunk_id, c.text, c.section, d.title, d.summary FROM chunks c JOIN documents d "
            "ON d.doc_id = c.doc_id ORDER BY c.doc_id, c.ordinal"
        )

    def iter_chunk_texts(self) -> Iterator[tuple[str, str]]:
        """(chunk id, indexable text) in a stable order; the text is what was embedded."""
        for row in self._chunk_rows():
            yield row["chunk_id"], indexable_text(row["title"], row["section"], row["text"])

    def iter_keyword_texts(self) -> Iterator[tuple[str, str]]:
        """(chunk id, text for the keyword index) in the same order: see `keyword_text`."""
        for row in self._chunk_rows():
            yield row["chunk_id"], keyword_text(row["title"], row["section"], row["text"], row["summary"])

    def stored_chunks(self, chunk_ids: Iterable[str]) -> dict[str, StoredChunk]:
        ids = list(dict.fromkeys(chunk_ids))
        found: dict[str, StoredChunk] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self._query(
                "SELECT c.*, d.title, d.source, d.doc_type, d.topics, d.lifecycle FROM chunks c "
                f"JOIN documents d ON d.doc_id = c.doc_id WHERE c.chunk_id IN ({marks})",
                part,
            )
            for row in rows:
                found[row["chunk_id"]] = StoredChunk(
                    chunk=_chunk(row),
                    title=row["title"],
                    source=row["source"],
                    doc_type=row["doc_type"],
                    topics=json.loads(row["topics"]),
                    lifecycle=row["lifecycle"],
                )
        return found

    def pending(self) -> dict[str, list[str]]:
        return {row["doc_id"]: json.loads(row["chunk_ids"]) for row in self._query("SELECT * FROM pending")}

    # -- writes ----------------------------------------------------------------------------------------

    def begin_pending(self, doc_id: str, chunk_ids: list[str]) -> None:
        """Journal the chunks about to be written, so a crash before `commit_document` can be undone."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO pending VALUES (?, ?)", (doc_id, json.dumps(chunk_ids)))

    def clear_pending(self, doc_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM pending WHERE doc_id = ?", (doc_id,))

    def commit_document(self, doc: DocumentRecord, chunks: list[ChunkRecord]) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.doc_id,))
            db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.doc_id,
                    doc.title,
                    doc.doc_type,
                    doc.source,
                    doc.path,
                    json.dumps(doc.topics),
                    doc.lifecycle,
                    doc.date,
                    doc.summary,
                    doc.content_hash,
                    len(chunks),
                    doc.ingested_at,
                ),
            )
            db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?)",
                [(c.chunk_id, c.doc_id, c.ordinal, c.text, c.section, c.page, c.start, c.end) for c in chunks],
            )
            db.execute("DELETE FROM pending WHERE doc_id = ?", (doc.doc_id,))
            _bump(db)

    def delete_document(self, doc_id: str) -> list[str]:
        with self._transaction() as db:
            rows = db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,)).fetchall()
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            _bump(db)
        return [row["chunk_id"] for row in rows]


def _bump(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def _document(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(
        doc_id=row["doc_id"],
        title=row["title"],
        doc_type=row["doc_type"],
        source=row["source"],
        path=row["path"],
        topics=json.loads(row["topics"]),
        lifecycle=row["lifecycle"],
        date=row["date"],
        summary=row["summary"],
        content_hash=row["content_hash"],
        chunk_count=row["chunk_count"],
        ingested_at=row["ingested_at"],
    )


def _chunk(row: sqlite3.Row) -> ChunkRecord:
    return ChunkRecord(
        chunk_id=row["chunk_id"],
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        text=row["text"],
        section=row["section"],
        page=row["page"],
        start=row["start"],
        end=row["end"],
    )
