"""A persisted BM25 index over chunk texts (bm25s), rebuilt after writes and reloaded when it changes.

Readers never rebuild it: they load the saved index once and again only when a writer saved a new one.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from assistant.text import terms

log = logging.getLogger(__name__)


def _bm25s():  # noqa: ANN202
    """Import bm25s, which sets its own logger to DEBUG on import; keep it quiet."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


_MARKER = "CURRENT"
_RECIPE_FILE = "recipe.txt"


class KeywordIndex:
    """`recipe` names what the caller indexes for a chunk. An index saved under another recipe (by older code)
    is not `usable`, so the next repair rebuilds it rather than searching texts made another way."""

    def __init__(self, directory: Path, recipe: str = "") -> None:
        self.directory = directory
        self.recipe = recipe
        self._lock = threading.Lock()
        self._loaded: str | None = None
        self._retriever = None
        self._ids: list[str] = []
        self._df: dict[str, int] = {}
        self._recipe_loaded = ""

    def _current(self) -> str | None:
        try:
            return (self.directory / _MARKER).read_text().strip() or None
        except FileNotFoundError:
            return None

    @property
    def generation(self) -> int | None:
        current = self._current()
        return int(current.split("-")[0]) if current else None

    def build(self, chunks: Iterable[tuple[str, str]], generation: int) -> int:
        """Index (id, text) pairs and publish the index atomically; returns the number indexed."""
        bm25s = _bm25s()

        ids: list[str] = []
        corpus: list[list[str]] = []
        frequency: Counter[str] = Counter()
        for chunk_id, text in chunks:
            ids.append(chunk_id)
            corpus.append(terms(text))
            frequency.update(set(corpus[-1]))
        name = f"{generation}-{os.getpid()}-{threading.get_ident()}"
        target = self.directory / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        if ids:
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            retriever.save(str(target), show_progress=False)
        (target / "ids.json").write_text(json.dumps(ids))
        (target / "df.json").write_text(json.dumps(frequency))
        (target / _RECIPE_FILE).write_text(self.recipe)
        marker = self.directory / f".{_MARKER}.{name}"
        marker.write_text(name)
        os.replace(marker, self.directory / _MARKER)
        self._prune(keep=name)
        log.debug("keyword index %s: %d chunks", name, len(ids))
        return len(ids)

    def _prune(self, keep: str) -> None:
        for entry in self.directory.iterdir():
            if entry.is_dir() and entry.name != keep and entry.name != self._loaded:
                shutil.rmtree(entry, ignore_errors=True)

    def _ensure_loaded(self) -> None:
        current = self._current()
        if current == self._loaded:
            return
        with self._lock:
            if current == self._loaded:
                return
            self._retriever, self._ids, self._df, self._recipe_loaded = self._load(current)
            self._loaded = current

    def _load(self, name: str | None):  # noqa: ANN202
        if name is None:
            return None, [], {}, ""
        bm25s = _bm25s()

        folder = self.directory / name
        try:
            ids = json.loads((folder / "ids.json").read_text())
            df = json.loads((folder / "df.json").read_text())
            retriever = bm25s.BM25.load(str(folder), show_progress=False) if ids else None
        except (FileNotFoundError, json.JSONDecodeError):
            log.warning("keyword index %s is gone; searching without it until the next write", name)
            return None, [], {}, ""
        recipe = (folder / _RECIPE_FILE).read_text() if (folder / _RECIPE_FILE).exists() else ""
        return retriever, ids, df, recipe

    def usable(self, expected_chunks: int) -> bool:
        """Whether the published index loads, was made by this recipe and covers the expected number of chunks."""
        self._ensure_loaded()
        if self._loaded is not None and self._recipe_loaded != self.recipe:
            return False
        return len(self._ids) == expected_chunks and (expected_chunks == 0 or self._retriever is not None)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency over chunks; terms never seen get the highest weight.

        Uses the index already loaded (each question searches first, which reloads a changed index), so the
        answer path does not re-read the marker file for every term."""
        if self._loaded is None:
            self._ensure_loaded()
        n = len(self._ids)
        return math.log(1 + (n + 1) / (self._df.get(term, 0) + 0.5))

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        self._ensure_loaded()
        retriever, ids = self._retriever, self._ids
        tokens = terms(query)
        if retriever is None or not tokens or not ids:
            return []
        docs, scores = retriever.retrieve([tokens], k=min(n, len(ids)), show_progress=False, n_threads=1)
        return [(ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if s > 0]
