"""Dependencies of the routes: services, keys and rate limits, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.service import Assistant
from assistant.settings import Settings
from web.errors import ApiError
from web.services import Services


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_assistant(services: ServicesDep) -> Assistant:
    return services.assistant


SettingsDep = Annotated[Settings, Depends(get_settings)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _limit(request: Request, services: Services, key: str | None) -> None:
    identity = f"key:{hash(key)}" if key else f"addr:{request.client.host if request.client else 'unknown'}"
    retry = services.limiter.check(identity)
    if retry is not None:
        raise ApiError(429, f"too many requests; retry in {retry} s", {"Retry-After": str(retry)})


def require_reader(request: Request, services: ServicesDep) -> None:
    key = bearer(request)
    if services.keys.readers_required:
        if key is None:
            raise ApiError(
                401, "an API key is required: send 'Authorization: Bearer <key>'", {"WWW-Authenticate": "Bearer"}
            )
        if not services.keys.is_reader(key):
            raise ApiError(403, "this API key is not valid")
    _limit(request, services, key)


def require_curator(request: Request, services: ServicesDep) -> None:
    key = bearer(request)
    if key is None:
        raise ApiError(
            401, "a curator key is required: send 'Authorization: Bearer <curator key>'", {"WWW-Authenticate": "Bearer"}
        )
    if not services.keys.is_curator(key):
        raise ApiError(403, "this key may not change the knowledge base")
    _limit(request, services, key)


Reader = Depends(require_reader)
Curator = Depends(require_curator)
