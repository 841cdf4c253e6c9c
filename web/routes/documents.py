"""The knowledge base's documents: list (readers), upload and delete (curators)."""

from __future__ import annotations

from fastapi import APIRouter, File, UploadFile

from assistant.errors import FileTooLarge, UnsupportedFormat
from web.deps import Curator, Reader, ServicesDep
from web.schemas import DocumentList, DocumentOut, FileOutcomeOut, RemoveResponse, UploadResponse

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get("", response_model=DocumentList, dependencies=[Reader], summary="List stored documents")
def list_documents(services: ServicesDep) -> DocumentList:
    docs = [
        DocumentOut(
            doc_id=d.doc_id,
            title=d.title,
            doc_type=d.doc_type,
            source=d.source,
            topics=d.topics,
            lifecycle=d.lifecycle,
            chunks=d.chunk_count,
            ingested_at=d.ingested_at,
        )
        for d in services.assistant.kb.documents()
    ]
    return DocumentList(documents=docs, count=len(docs))


@router.post("", response_model=UploadResponse, dependencies=[Curator], summary="Upload files (curator key)")
def upload(services: ServicesDep, files: list[UploadFile] = File(description="One or more files.")) -> UploadResponse:
    limit = services.settings.max_file_bytes
    received: list[tuple[str, bytes]] = []
    for item in files:
        name = (item.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
        received.append((name, item.file.read(limit + 1)))
    report = services.upload(received)
    outcomes = [FileOutcomeOut(**vars(o)) for o in report.outcomes]
    if outcomes and all(o.status == "failed" for o in outcomes):
        reasons = [o.reason or "" for o in outcomes]
        if all("byte limit" in r for r in reasons):
            raise FileTooLarge("; ".join(f"{o.source}: {o.reason}" for o in outcomes))
        if all(r.startswith("unsupported format") for r in reasons):
            raise UnsupportedFormat("; ".join(f"{o.source}: {o.reason}" for o in outcomes))
    return UploadResponse(results=outcomes, summary=report.summary())


@router.delete(
    "/{doc_id:path}", response_model=RemoveResponse, dependencies=[Curator], summary="Delete a document (curator key)"
)
def remove(doc_id: str, services: ServicesDep) -> RemoveResponse:
    return RemoveResponse(doc_id=doc_id, chunks_removed=services.remove(doc_id))
