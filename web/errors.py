"""Errors become JSON `{"error": {"code", "message"}}` with the right status; no trace reaches a client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant import errors

log = logging.getLogger(__name__)

STATUS = {
    errors.InvalidQuestion: (422, "invalid_question"),
    errors.DocumentNotFound: (404, "document_not_found"),
    errors.UnsupportedFormat: (415, "unsupported_format"),
    errors.FileTooLarge: (413, "file_too_large"),
    errors.EmptyDocument: (422, "empty_document"),
    errors.CorruptDocument: (422, "corrupt_document"),
    errors.UserError: (400, "bad_request"),
    errors.KnowledgeBaseEmpty: (503, "knowledge_base_empty"),
    errors.ProviderUnavailable: (503, "provider_unavailable"),
}
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "unavailable",
}


class ApiError(Exception):
    """Raised by the web layer itself (auth, limits) with a status and a message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.AssistantError)
    async def _domain(_: Request, exc: errors.AssistantError) -> JSONResponse:
        for kind in type(exc).__mro__:
            if kind in STATUS:
                status, code = STATUS[kind]
                return error_response(status, code, str(exc))
        log.error("unmapped domain error: %s", type(exc).__name__)
        return error_response(500, "internal_error", "the server could not complete the request")

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, HTTP_CODES.get(exc.status, "error"), exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return error_response(400, "bad_request", "the request body is not valid JSON")
        return error_response(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, HTTP_CODES.get(exc.status_code, "error"), str(exc.detail), exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "the server could not complete the request")
