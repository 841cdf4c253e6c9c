"""Sync files into the knowledge base: skip what is unchanged, embed only new chunks, store each
document all or nothing, prune what is gone, and report one outcome per file."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from assistant.catalog import ChunkRecord, DocumentRecord
from assistant.embeddings import Embedder
from assistant.errors import AssistantError, EmptyDocument, FileTooLarge, UserError
from assistant.knowledge_base import KnowledgeBase
from assistant.settings import Settings
from assistant.text import indexable_text
from ingest.chunking import Chunker
from ingest.loaders import load, loader_for

log = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "removed", "failed"]
STATUSES: tuple[Status, ...] = ("added", "updated", "unchanged", "removed", "failed")
FOLDER_TYPES = {"articles": "article", "roundtables": "roundtable", "playbooks": "playbook"}
PIPELINE_VERSION = "1"


@dataclass
class FileOutcome:
    source: str
    status: Status
    doc_id: str | None = None
    chunks: int = 0
    embedded: int = 0
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    """What had to be repaired to read the file, such as front matter that is not valid YAML."""

    def line(self) -> str:
        if self.status == "failed":
            return f"failed {self.source}: {self.reason}"
        line = f"{self.status} {self.source} -> {self.doc_id} ({self.chunks} chunks, {self.embedded} embedded)"
        return "; ".join([line, *(f"warning: {w}" for w in self.warnings)])


@dataclass
class SyncReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def changed(self) -> bool:
        return any(o.status in ("added", "updated", "removed") for o in self.outcomes)

    def summary(self) -> str:
        return " ".join(f"{status}={self.count(status)}" for status in STATUSES)


@dataclass
class Source:
    """One file to sync: from disk (`path`) or uploaded (`data`)."""

    source: str
    path: Path | None = None
    data: bytes | None = None
    folder: str | None = None

    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size  # type: ignore[union-attr]

    def read(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()  # type: ignore[union-attr]


@dataclass
class Prepared:
    doc: DocumentRecord
    chunks: list[ChunkRecord]
    to_embed: list[ChunkRecord]
    status: Status
    replaces: str | None = None
    warnings: list[str] = field(default_factory=list)


ProgressHook = Callable[[FileOutcome], None]


def slug(text: str) -> str:
    cleaned = re.sub(r"[^a-z0-9/_.-]+", "-", text.lower()).strip("-/.")
    return re.sub(r"-{2,}", "-", cleaned) or "document"


def discover(paths: Sequence[Path]) -> tuple[list[Source], list[Path]]:
    """Files under `paths` (hidden ones skipped) and the folders given, for pruning."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise UserError(f"no such file or folder: {missing[0]}")
    sources: list[Source] = []
    folders: list[Path] = []
    for given in paths:
        if given.is_file():
            sources.append(Source(source=given.name, path=given.resolve()))
            continue
        root = given.resolve()
        folders.append(root)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                full = Path(dirpath, name)
                rel = full.relative_to(root)
                sources.append(
                    Source(source=rel.as_posix(), path=full, folder=rel.parts[0] if len(rel.parts) > 1 else None)
                )
    return sources, folders


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Iterable):
        return [str(part).strip() for part in value if str(part).strip()]
    return [str(value)]


class Syncer:
    def __init__(self, kb: KnowledgeBase, embedder: Embedder, settings: Settings) -> None:
        self.kb = kb
        self.embedder = embedder
        self.settings = settings
        self.chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
        self.flush_chunks = max(4 * settings.embed_batch_size, 64)

    # -- public ----------------------------------------------------------------------------------------

    def sync_paths(
        self, paths: Sequence[Path], prune: bool = False, progress: ProgressHook | None = None
    ) -> SyncReport:
        sources, folders = discover(paths)
        return self.sync(sources, prune_folders=folders if prune else [], progress=progress)

    def sync(
        self,
        sources: Sequence[Source],
        prune_folders: Sequence[Path] = (),
        progress: ProgressHook | None = None,
    ) -> SyncReport:
        report = SyncReport()

        def record(outcome: FileOutcome) -> None:
            report.outcomes.append(outcome)
            if outcome.status == "failed" or outcome.warnings:
                log.warning("%s", outcome.line())
            if progress:
                progress(outcome)

        with self.kb.writing():
            self.kb.repair()
            by_path = {d.path: d.doc_id for d in self.kb.documents() if d.path}
            buffer: list[Prepared] = []
            claimed: dict[str, str] = {}
            for src in sources:
                outcome = self._prepare(src, claimed, by_path)
                if isinstance(outcome, FileOutcome):
                    record(outcome)
                    continue
                buffer.append(outcome)
                if sum(len(p.to_embed) for p in buffer) >= self.flush_chunks:
                    self._flush(buffer, record)
                    buffer = []
            self._flush(buffer, record)
            if prune_folders:
                self._prune(sources, prune_folders, record)
            if report.changed:
                self.kb.refresh_keyword_index()
        return report

    # -- steps -----------------------------------------------------------------------------------------

    def _prepare(self, src: Source, claimed: dict[str, str], by_path: dict[str, str]) -> Prepared | FileOutcome:
        try:
            loader_for(src.source)
            size = src.size()
            if size > self.settings.max_file_bytes:
                raise FileTooLarge(f"{src.source}: {size} bytes is over the {self.settings.max_file_bytes}-byte limit")
            if size == 0:
                raise EmptyDocument(f"{src.source}: empty file")
            data = src.read()
            loaded = load(data, src.source)
            meta = loaded.metadata
            doc_id = str(meta.get("id") or slug(str(Path(src.source).with_suffix("")))).strip()
            if doc_id in claimed:
                raise UserError(f"{src.source}: id {doc_id!r} is already used by {claimed[doc_id]}")
            claimed[doc_id] = src.source
            content_hash = self._hash(data)
            existing = self.kb.catalog.document(doc_id)
            path = str(src.path) if src.path else None
            if existing and existing.content_hash == content_hash and existing.source == src.source:
                return FileOutcome(src.source, "unchanged", doc_id, existing.chunk_count, warnings=loaded.warnings)
            chunks = self.chunker.chunk(doc_id, loaded)
            if not chunks:
                raise EmptyDocument(f"{src.source}: no text to index")
            old_ids = set(self.kb.catalog.chunk_ids(doc_id))
            doc = DocumentRecord(
                doc_id=doc_id,
                title=loaded.title,
                doc_type=str(meta.get("type") or FOLDER_TYPES.get(src.folder or "", "document")),
                source=src.source,
                path=path,
                content_hash=content_hash,
                topics=_as_list(meta.get("topics"))
                or ([src.folder] if src.folder and src.folder not in FOLDER_TYPES else []),
                lifecycle=str(meta["lifecycle"]) if meta.get("lifecycle") else None,
                date=str(meta.get("updated") or meta.get("date") or "") or None,
                summary=str(meta["summary"]) if meta.get("summary") else None,
            )
            replaces = by_path.get(path) if path else None
            return Prepared(
                doc=doc,
                chunks=chunks,
                to_embed=[c for c in chunks if c.chunk_id not in old_ids],
                status="updated" if existing else "added",
                replaces=replaces if replaces and replaces != doc_id else None,
                warnings=loaded.warnings,
            )
        except (AssistantError, OSError) as exc:
            reason = str(exc) if isinstance(exc, AssistantError) else f"{src.source}: {exc.strerror or exc}"
            return FileOutcome(src.source, "failed", reason=reason.removeprefix(f"{src.source}: "))
        except Exception as exc:  # one bad file must never abort the others
            log.exception("unexpected failure reading %s", src.source)
            return FileOutcome(src.source, "failed", reason=f"could not be read ({type(exc).__name__})")

    def _hash(self, data: bytes) -> str:
        digest = hashlib.sha256(data)
        digest.update(f"|{PIPELINE_VERSION}|{self.settings.chunk_size}|{self.settings.chunk_overlap}".encode())
        return digest.hexdigest()

    def _flush(self, buffer: list[Prepared], record: ProgressHook) -> None:
        if not buffer:
            return
        pending = [(p, c) for p in buffer for c in p.to_embed]
        texts = [indexable_text(p.doc.title, c.section, c.text) for p, c in pending]
        vectors = self.embedder.embed_documents(texts)
        by_id = {c.chunk_id: vectors[i] for i, (_, c) in enumerate(pending)}
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for prepared in buffer:
            prepared.doc.ingested_at = now
            new_vectors = {c.chunk_id: by_id[c.chunk_id] for c in prepared.to_embed}
            try:
                self.kb.replace_document(prepared.doc, prepared.chunks, new_vectors)
                previous = self.kb.catalog.document(prepared.replaces) if prepared.replaces else None
                if previous is not None and previous.path == prepared.doc.path:
                    self.kb.remove_document(previous.doc_id, refresh=False)
            except Exception as exc:  # one bad document must not stop the others
                log.exception("storing %s failed", prepared.doc.source)
                record(FileOutcome(prepared.doc.source, "failed", prepared.doc.doc_id, reason=f"not stored ({exc})"))
                continue
            record(
                FileOutcome(
                    prepared.doc.source,
                    prepared.status,
                    prepared.doc.doc_id,
                    len(prepared.chunks),
                    len(prepared.to_embed),
                    warnings=prepared.warnings,
                )
            )

    def _prune(self, sources: Sequence[Source], folders: Sequence[Path], record: ProgressHook) -> None:
        present = {str(s.path) for s in sources if s.path}
        for doc in self.kb.documents():
            if not doc.path or doc.path in present:
                continue
            if any(Path(doc.path).is_relative_to(folder) for folder in folders):
                self.kb.remove_document(doc.doc_id, refresh=False)
                record(FileOutcome(doc.source, "removed", doc.doc_id, doc.chunk_count))
