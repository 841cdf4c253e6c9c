"""OpenAI-compatible chat: POST /v1/chat/completions (streaming too) and GET /v1/models.

The last user message is the question, earlier ones the history; citations ride along in `citations`
and as a "Sources" list at the end of the content.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.followup import Turn
from assistant.passages import Answer
from assistant.service import Delta
from web.deps import Reader, ServicesDep
from web.errors import ApiError
from web.schemas import CitationOut
from web.services import Services

MODEL = "alliance-assistant"
router = APIRouter(prefix="/v1", tags=["openai-compatible"], dependencies=[Reader])


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(description="system, user or assistant.")
    content: str | list | None = Field(None, description="Text, or a list of content parts.")

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.get("text", "") for p in self.content if isinstance(p, dict))
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field(MODEL, description=f"Must be {MODEL!r}.")
    messages: list[ChatMessage] = Field(description="The conversation; the last user message is the question.")
    stream: bool = Field(False, description="Send server-sent events in the OpenAI chunk format.")


class ChoiceMessage(BaseModel):
    role: str = Field("assistant", description="Always assistant.")
    content: str = Field(description="The answer, then a Sources list.")


class Choice(BaseModel):
    index: int = Field(0, description="Always 0.")
    message: ChoiceMessage = Field(description="The answer.")
    finish_reason: str = Field("stop", description="Always stop.")


class Usage(BaseModel):
    prompt_tokens: int = Field(description="Words in the question (approximate).")
    completion_tokens: int = Field(description="Words in the answer (approximate).")
    total_tokens: int = Field(description="Their sum.")


class ChatResponse(BaseModel):
    id: str = Field(description="Completion id.")
    object: str = Field("chat.completion", description="Always chat.completion.")
    created: int = Field(description="Unix time.")
    model: str = Field(MODEL, description="The model name.")
    choices: list[Choice] = Field(description="One choice.")
    usage: Usage = Field(description="Approximate sizes.")
    citations: list[CitationOut] = Field(description="The cited passages; [n] in the content is index n.")
    abstained: bool = Field(description="True when the knowledge base does not cover the question.")


def sources_block(answer: Answer) -> str:
    if not answer.citations:
        return ""
    lines = [
        f"[{c.index}] {c.passage.title} — {c.passage.source}" + (f" ({c.passage.section})" if c.passage.section else "")
        for c in answer.citations
    ]
    return "\n\nSources:\n" + "\n".join(lines)


def _split(body: ChatRequest) -> tuple[str, list[Turn]]:
    if body.model != MODEL:
        raise ApiError(404, f"unknown model {body.model!r}; use {MODEL!r}")
    turns = [Turn(m.role, m.text()) for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise ApiError(422, "the last message must come from the user")
    return turns[-1].content, turns[:-1]


class ModelCard(BaseModel):
    id: str = Field(MODEL, description="The model name to send.")
    object: str = Field("model", description="Always model.")
    created: int = Field(0, description="Unix time (unused).")
    owned_by: str = Field("alliance", description="Who serves it.")


class ModelList(BaseModel):
    object: str = Field("list", description="Always list.")
    data: list[ModelCard] = Field(description="The one model this server offers.")


@router.get("/models", response_model=ModelList, summary="The one model this server offers")
def models() -> ModelList:
    return ModelList(data=[ModelCard()])


@router.post("/chat/completions", response_model=ChatResponse, summary="OpenAI-compatible chat completion")
def chat(body: ChatRequest, services: ServicesDep):  # noqa: ANN201 - JSON or an event stream
    question, history = _split(body)
    assistant = services.assistant
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if body.stream:
        events = assistant.stream(question, history)
        first = next(events)  # raise errors (empty question, empty store) before the stream starts
        return StreamingResponse(
            _sse(completion_id, created, _recorded(services, question, _chain(first, events))),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    answer = assistant.ask(question, history)
    services.record_decline(question, answer)
    content = answer.answer + sources_block(answer)
    return ChatResponse(
        id=completion_id,
        created=created,
        choices=[Choice(message=ChoiceMessage(content=content))],
        usage=Usage(
            prompt_tokens=len(question.split()),
            completion_tokens=len(content.split()),
            total_tokens=len(question.split()) + len(content.split()),
        ),
        citations=[CitationOut.of(c) for c in answer.citations],
        abstained=answer.abstained,
    )


def _chunk(completion_id: str, created: int, delta: dict, finish: str | None = None, **extra: object) -> str:
    payload = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(payload)}\n\n"


def _sse(completion_id: str, created: int, events: Iterator[Delta | Answer]) -> Iterator[str]:
    yield _chunk(completion_id, created, {"role": "assistant", "content": ""})
    for event in events:
        if isinstance(event, Delta):
            yield _chunk(completion_id, created, {"content": event.text})
        else:
            yield _chunk(completion_id, created, {"content": sources_block(event)})
            citations = [CitationOut.of(c).model_dump() for c in event.citations]
            yield _chunk(completion_id, created, {}, "stop", citations=citations, abstained=event.abstained)
    yield "data: [DONE]\n\n"


def _chain(first: Delta | Answer, rest: Iterator[Delta | Answer]) -> Iterator[Delta | Answer]:
    yield first
    yield from rest


def _recorded(services: Services, question: str, events: Iterator[Delta | Answer]) -> Iterator[Delta | Answer]:
    for event in events:
        if isinstance(event, Answer):
            services.record_decline(question, event)
        yield event
