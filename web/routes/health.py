"""Liveness and readiness."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from web.deps import ServicesDep
from web.schemas import Health, Readiness

router = APIRouter(tags=["health"])


def product_version() -> str:
    try:
        return version("alliance-assistant")
    except PackageNotFoundError:
        return "0+unknown"


@router.get("/health", response_model=Health, summary="Is the process serving?")
def health() -> Health:
    return Health(status="ok", version=product_version())


@router.get("/ready", response_model=Readiness, summary="Model, store and document count")
def ready(services: ServicesDep) -> Readiness:
    status = services.assistant.status()
    return Readiness(
        status="ready" if status["documents"] else "empty",
        documents=status["documents"],
        embedding_model=status["embedding_model"],
        composer=status["composer"],
        store=f"chroma:{status['collection']}",
    )
