"""POST /v1/ask and GET /v1/search: cited answers and ranked passages."""

from __future__ import annotations

from fastapi import APIRouter, Query

from assistant.followup import Turn
from web.deps import AssistantDep, Reader, ServicesDep
from web.schemas import AskRequest, AskResponse, SearchHit, SearchResponse

router = APIRouter(prefix="/v1", tags=["answers"], dependencies=[Reader])


@router.post("/ask", response_model=AskResponse, summary="Answer a question with citations")
def ask(body: AskRequest, services: ServicesDep) -> AskResponse:
    history = [Turn(m.role, m.content) for m in body.history]
    filters = body.filters.to_filters() if body.filters else None
    answer = services.assistant.ask(body.question, history, filters, body.top_k)
    services.record_decline(body.question, answer)
    return AskResponse.of(answer)


@router.get("/search", response_model=SearchResponse, summary="Search passages without composing an answer")
def search(
    assistant: AssistantDep,
    q: str = Query(description="What to look for."),
    k: int = Query(5, ge=1, le=50, description="How many passages."),
    doc_type: list[str] = Query(default_factory=list, description="Keep only these document types."),
    topic: list[str] = Query(default_factory=list, description="Keep documents with any of these topics."),
) -> SearchResponse:
    from assistant.passages import Filters

    passages = assistant.search(q, k, Filters(doc_types=doc_type, topics=topic))
    return SearchResponse(query=q, results=[SearchHit.of(i, p) for i, p in enumerate(passages, start=1)])
