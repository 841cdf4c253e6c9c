"""Request and response models of the HTTP API; their descriptions are what /docs shows integrators."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.passages import Answer, Citation, Filters, Passage


class Message(BaseModel):
    role: Literal["user", "assistant", "system"] = Field(description="Who said it.")
    content: str = Field(description="What was said.")


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_type: list[str] = Field(default_factory=list, description="Keep only these document types.")
    topics: list[str] = Field(default_factory=list, description="Keep documents with any of these topics.")
    lifecycle: list[str] = Field(default_factory=list, description="Keep only these lifecycle phases.")

    def to_filters(self) -> Filters:
        return Filters(doc_types=self.doc_type, topics=self.topics, lifecycle=self.lifecycle)


class AskRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"question": "How do I run a joint health check with a partner?"}]}
    )

    question: str = Field(description="The question, in plain words.")
    history: list[Message] = Field(default_factory=list, description="Earlier turns, oldest first.")
    filters: FiltersIn | None = Field(None, description="Restrict the sources by type, topic or lifecycle.")
    top_k: int | None = Field(None, ge=1, le=20, description="Passages the answer may cite (default: settings).")


class CitationOut(BaseModel):
    index: int = Field(description="The n of the [n] markers in the answer that point here.")
    doc_id: str = Field(description="Stable id of the cited document.")
    title: str = Field(description="Title of the cited document.")
    source: str = Field(description="File path relative to the folder it was ingested from, or the upload name.")
    section: str | None = Field(description="Heading path of the cited passage, when it has one.")
    snippet: str = Field(description="The words of the passage that support the answer.")
    score: float = Field(description="Retrieval score of the passage (higher is better).")
    doc_type: str = Field(description="article, roundtable, playbook or document.")
    page: int | None = Field(None, description="PDF page of the passage.")
    passage: str = Field(description="The whole cited passage.")

    @classmethod
    def of(cls, citation: Citation) -> CitationOut:
        p = citation.passage
        return cls(
            index=citation.index,
            doc_id=p.doc_id,
            title=p.title,
            source=p.source,
            section=p.section,
            snippet=citation.snippet,
            score=round(p.score, 6),
            doc_type=p.doc_type,
            page=p.page,
            passage=p.text,
        )


class AskResponse(BaseModel):
    answer: str = Field(description="The answer; every sentence ends with [n] markers naming its citation.")
    citations: list[CitationOut] = Field(description="The cited passages, numbered from 1.")
    abstained: bool = Field(description="True when the knowledge base does not cover the question.")
    standalone_question: str = Field(description="The question as searched, after resolving follow-ups.")
    composer: str = Field(description="What wrote the answer: extractive, openai or local.")
    degraded: bool = Field(False, description="True when the configured LLM failed and the answer fell back.")
    degraded_reason: str | None = Field(None, description="Why the answer is degraded.")

    @classmethod
    def of(cls, answer: Answer) -> AskResponse:
        return cls(
            answer=answer.answer,
            citations=[CitationOut.of(c) for c in answer.citations],
            abstained=answer.abstained,
            standalone_question=answer.query,
            composer=answer.composer,
            degraded=answer.degraded,
            degraded_reason=answer.degraded_reason,
        )


class SearchHit(BaseModel):
    rank: int = Field(description="1 for the best match.")
    doc_id: str = Field(description="Stable id of the document.")
    title: str = Field(description="Title of the document.")
    source: str = Field(description="File path relative to the folder it was ingested from.")
    section: str | None = Field(description="Heading path of the passage.")
    snippet: str = Field(description="The passage text.")
    score: float = Field(description="Fused retrieval score.")
    doc_type: str = Field(description="Document type.")
    page: int | None = Field(None, description="PDF page, when known.")

    @classmethod
    def of(cls, rank: int, p: Passage) -> SearchHit:
        return cls(
            rank=rank,
            doc_id=p.doc_id,
            title=p.title,
            source=p.source,
            section=p.section,
            snippet=p.text,
            score=round(p.score, 6),
            doc_type=p.doc_type,
            page=p.page,
        )


class SearchResponse(BaseModel):
    query: str = Field(description="The query as given.")
    results: list[SearchHit] = Field(description="Ranked passages.")


class DocumentOut(BaseModel):
    doc_id: str = Field(description="Stable id.")
    title: str = Field(description="Title.")
    doc_type: str = Field(description="article, roundtable, playbook or document.")
    source: str = Field(description="Path relative to the ingested folder, or the upload name.")
    topics: list[str] = Field(description="Topics from front matter or folder.")
    lifecycle: str | None = Field(description="Alliance lifecycle phase.")
    chunks: int = Field(description="Number of stored chunks.")
    ingested_at: str = Field(description="When this version was stored (UTC, ISO 8601).")


class DocumentList(BaseModel):
    documents: list[DocumentOut] = Field(description="Stored documents, by id.")
    count: int = Field(description="How many.")


class FileOutcomeOut(BaseModel):
    source: str = Field(description="The file name.")
    status: Literal["added", "updated", "unchanged", "removed", "failed"] = Field(description="What happened.")
    doc_id: str | None = Field(description="The document id, when one was assigned.")
    chunks: int = Field(description="Chunks stored.")
    embedded: int = Field(description="Chunks embedded in this run (the rest were reused).")
    reason: str | None = Field(description="Why it failed.")
    warnings: list[str] = Field(
        default_factory=list, description="What had to be repaired to read the file (the file was still stored)."
    )


class UploadResponse(BaseModel):
    results: list[FileOutcomeOut] = Field(description="One outcome per uploaded file.")
    summary: str = Field(description="added=N updated=N unchanged=N removed=N failed=N")


class RemoveResponse(BaseModel):
    doc_id: str = Field(description="The removed document.")
    chunks_removed: int = Field(description="How many chunks went with it.")


class Health(BaseModel):
    status: Literal["ok"] = Field(description="Always ok while the process serves.")
    version: str = Field(description="Product version.")


class Readiness(BaseModel):
    status: Literal["ready", "empty"] = Field(description="ready, or empty when nothing is ingested.")
    documents: int = Field(description="Stored documents.")
    embedding_model: str = Field(description="The embedding model in use.")
    composer: str = Field(description="The answer composer in use.")
    store: str = Field(description="The vector store and collection.")


class ErrorBody(BaseModel):
    code: str = Field(description="A stable machine-readable code.")
    message: str = Field(description="What went wrong, for people.")


class ErrorResponse(BaseModel):
    error: ErrorBody
