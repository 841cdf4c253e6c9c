"""The knowledge base: vectors in Chroma, texts and the document list in the catalog, BM25 beside them.

Write order keeps it crash-safe: journal the new chunk ids, write vectors, commit the catalog in one
transaction, then delete stale vectors. `repair()` finishes whatever a killed writer left half done.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.catalog import Catalog, ChunkRecord, DocumentRecord, StoredChunk
from assistant.errors import DocumentNotFound
from assistant.keyword_index import KeywordIndex
from assistant.settings import Settings

log = logging.getLogger(__name__)

KEYWORD_RECIPE = "chunk text under its title and section, with its document's summary"
"""What the keyword index holds for a chunk (`Catalog.iter_keyword_texts`). Change it when that changes, so that
an index built by older code is rebuilt by the next repair."""


@dataclass
class RepairReport:
    orphans_deleted: int = 0
    pending_undone: int = 0
    documents_dropped: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.orphans_deleted or self.pending_undone or self.documents_dropped)


def chroma_metadata(doc: DocumentRecord, chunk: ChunkRecord) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "source": doc.source,
        "doc_type": doc.doc_type,
        "lifecycle": doc.lifecycle or "",
        "date": doc.date or "",
        "section": chunk.section or "",
        "page": chunk.page if chunk.page is not None else -1,
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": doc.content_hash,
    }
    if doc.topics:
        meta["topics"] = list(doc.topics)
    return meta


class KnowledgeBase:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.catalog_path)
        self.keywords = KeywordIndex(settings.keyword_dir, KEYWORD_RECIPE)
        self._collection = None
        self._client = None
        self._lock = threading.Lock()
        self._generation_seen = -1
        self._writing = False

    # -- Chroma ----------------------------------------------------------------------------------------

    @property
    def collection(self):  # noqa: ANN201 - chromadb.Collection, imported lazily
        if self._collection is None:
            with self._lock:
                if self._collection is None:
                    import chromadb
                    from chromadb.config import Settings as ChromaSettings

                    self._client = chromadb.PersistentClient(
                        path=str(self.settings.chroma_dir),
                        settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
                    )
                    self._collection = self._client.get_or_create_collection(
                        self.settings.collection,
                        embedding_function=None,
                        configuration={"hnsw": {"space": "cosine"}},
                    )
                    self._generation_seen = self.catalog.generation()
        return self._collection

    def _follow_other_writers(self) -> None:
        """Chroma keeps its vector index in memory: reopen it when another process changed the store."""
        if self._collection is None or self._writing or self.catalog.generation() == self._generation_seen:
            return
        with self._lock:
            if self._collection is not None and self.catalog.generation() != self._generation_seen:
                log.info("the store changed in another process; reopening the vector index")
                self._client.clear_system_cache()
                self._collection = self._client = None
        self.collection  # noqa: B018 - reopen now, not on the next query

    def _wrote(self) -> None:
        self._generation_seen = self.catalog.generation()

    def vector_ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    # -- writes ----------------------------------------------------------------------------------------

    def replace_document(
        self, doc: DocumentRecord, chunks: Sequence[ChunkRecord], new_vectors: Mapping[str, np.ndarray]
    ) -> None:
        """Store `doc` with `chunks`, all or nothing; chunks missing from `new_vectors` must already exist."""
        old_ids = set(self.catalog.chunk_ids(doc.doc_id))
        new_ids = [c.chunk_id for c in chunks]
        missing = [cid for cid in new_ids if cid not in new_vectors and cid not in old_ids]
        if missing:
            raise ValueError(f"{doc.doc_id}: no vector for {len(missing)} new chunk(s)")
        self.catalog.begin_pending(doc.doc_id, new_ids)
        fresh = [c for c in chunks if c.chunk_id in new_vectors]
        if fresh:
            self.collection.upsert(
                ids=[c.chunk_id for c in fresh],
                embeddings=np.stack([new_vectors[c.chunk_id] for c in fresh]),
                metadatas=[chroma_metadata(doc, c) for c in fresh],
            )
        kept = [c for c in chunks if c.chunk_id not in new_vectors]
        if kept:
            self.collection.update(ids=[c.chunk_id for c in kept], metadatas=[chroma_metadata(doc, c) for c in kept])
        self.catalog.commit_document(doc, list(chunks))
        self._wrote()
        stale = sorted(old_ids - set(new_ids))
        if stale:
            self.collection.delete(ids=stale)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the data dir's writer lock: one writer at a time, across threads and processes."""
        with open(self.settings.data_dir / ".write.lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self._follow_other_writers()
                self._writing = True
                yield
            finally:
                self._writing = False
                self._wrote()
                fcntl.flock(handle, fcntl.LOCK_UN)

    def remove_document(self, doc_id: str, refresh: bool = True) -> int:
        """Unlist the document first, then delete its vectors; the caller holds `writing()`."""
        if self.catalog.document(doc_id) is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        chunk_ids = self.catalog.delete_document(doc_id)
        self._wrote()
        if chunk_ids:
            self.collection.delete(ids=chunk_ids)
        if refresh:
            self.refresh_keyword_index()
        return len(chunk_ids)

    def refresh_keyword_index(self) -> int:
        return self.keywords.build(self.catalog.iter_keyword_texts(), self.catalog.generation())

    def repair(self) -> RepairReport:
        """Undo half-written documents, delete orphaned vectors, drop documents whose vectors are lost."""
        report = RepairReport()
        listed = self.catalog.chunk_ids_by_document()
        for doc_id in self.catalog.pending():
            report.pending_undone += 1
            self.catalog.clear_pending(doc_id)
        stored = self.vector_ids()
        live = set().union(*listed.values()) if listed else set()
        orphans = sorted(stored - live)
        for start in range(0, len(orphans), 1000):
            self.collection.delete(ids=orphans[start : start + 1000])
        report.orphans_deleted = len(orphans)
        for doc_id, ids in listed.items():
            if not ids <= stored:
                log.warning("document %s lost %d vector(s); it will be ingested again", doc_id, len(ids - stored))
                self.catalog.delete_document(doc_id)
                self._wrote()
                report.documents_dropped += 1
        stale = self.keywords.generation != self.catalog.generation()
        if report.changed or stale or not self.keywords.usable(len(live)):
            self.refresh_keyword_index()
        return report

    # -- reads -----------------------------------------------------------------------------------------

    def document_count(self) -> int:
        return self.catalog.document_count()

    def documents(self) -> list[DocumentRecord]:
        return self.catalog.documents()

    def dense_search(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        self._follow_other_writers()
        count = self.collection.count()
        if count == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(n, count), where=where, include=["distances"]
        )
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks; ids the store lacks are absent."""
        self._follow_other_writers()
        if not chunk_ids:
            return {}
        found = self.collection.get(ids=list(dict.fromkeys(chunk_ids)), include=["embeddings"])
        pairs = zip(found["ids"], found["embeddings"], strict=True)
        return {cid: np.asarray(vector, dtype=np.float32) for cid, vector in pairs}

    def keyword_search(self, query: str, n: int) -> list[tuple[str, float]]:
        return self.keywords.search(query, n)

    def stored_chunks(self, chunk_ids: Sequence[str]) -> dict[str, StoredChunk]:
        """Chunks the catalog lists; ids of half-written or removed documents are simply absent."""
        return self.catalog.stored_chunks(chunk_ids)

    def close(self) -> None:
        self.catalog.close()
