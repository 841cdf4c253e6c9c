"""Feedback export for curators: thumbs up and down, comments, and the questions the assistant declined."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from web.deps import Curator, Reader, ServicesDep

router = APIRouter(prefix="/v1/feedback", tags=["feedback"])


class FeedbackIn(BaseModel):
    rating: Literal["up", "down"] = Field(description="Thumbs up or down.")
    question: str = Field(min_length=1, max_length=4000, description="The question that was answered.")
    answer: str = Field("", max_length=8000, description="The answer given.")
    comment: str | None = Field(None, max_length=2000, description="Optional words from the user.")
    doc_ids: list[str] = Field(default_factory=list, description="Documents the answer cited.")


class FeedbackItem(BaseModel):
    id: int = Field(description="Row id.")
    created_at: str = Field(description="When (UTC).")
    kind: str = Field(description="up, down or declined.")
    question: str = Field(description="The question.")
    answer: str | None = Field(description="The answer given.")
    comment: str | None = Field(description="The user's comment.")
    doc_ids: list[str] = Field(description="Documents the answer cited.")


class FeedbackExport(BaseModel):
    items: list[FeedbackItem] = Field(description="Newest first.")


class FeedbackSaved(BaseModel):
    id: int = Field(description="Row id of the stored feedback.")


@router.post("", response_model=FeedbackSaved, dependencies=[Reader], status_code=201, summary="Rate an answer")
def give(body: FeedbackIn, services: ServicesDep) -> FeedbackSaved:
    return FeedbackSaved(id=services.feedback.add(body.rating, body.question, body.answer, body.comment, body.doc_ids))


@router.get("", response_model=FeedbackExport, dependencies=[Curator], summary="Export feedback (curator key)")
def export(
    services: ServicesDep,
    kind: Literal["up", "down", "declined"] | None = Query(None, description="Only this kind."),
    limit: int = Query(1000, ge=1, le=10000, description="At most this many rows."),
) -> FeedbackExport:
    return FeedbackExport(items=[FeedbackItem(**row) for row in services.feedback.export(kind, limit)])
