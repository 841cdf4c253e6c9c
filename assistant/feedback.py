"""Feedback on answers and the questions the assistant declined, kept in SQLite for curators."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,           -- up, down or declined
    question TEXT NOT NULL,
    answer TEXT,
    comment TEXT,
    doc_ids TEXT
);
"""


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def add(
        self,
        kind: str,
        question: str,
        answer: str | None = None,
        comment: str | None = None,
        doc_ids: list[str] | None = None,
    ) -> int:
        if kind not in ("up", "down", "declined"):
            raise ValueError(f"unknown feedback kind {kind!r}")
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO feedback (created_at, kind, question, answer, comment, doc_ids) VALUES (?,?,?,?,?,?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    kind,
                    question[:4000],
                    (answer or "")[:8000] or None,
                    (comment or "").strip()[:2000] or None,
                    ",".join(doc_ids or []) or None,
                ),
            )
            return int(cursor.lastrowid or 0)

    def export(self, kind: str | None = None, limit: int = 1000) -> list[dict]:
        sql = "SELECT * FROM feedback" + (" WHERE kind = ?" if kind else "") + " ORDER BY id DESC LIMIT ?"
        params = (kind, limit) if kind else (limit,)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [dict(row) | {"doc_ids": row["doc_ids"].split(",") if row["doc_ids"] else []} for row in rows]
