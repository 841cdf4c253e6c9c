"""An app over a real store, built once per module, with known curator and reader keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.knowledge_base import KnowledgeBase
from assistant.service import Assistant
from assistant.settings import Settings
from ingest.sync import Syncer
from tests.conftest import write_docs
from web.app import create_app
from web.services import build_services

CURATOR = "curator-test-key-123"


def make_client(tmp: Path, embedder, ui: bool = False, raise_errors: bool = True, **overrides) -> TestClient:  # noqa: ANN001
    settings = Settings(data_dir=tmp / "data", curator_keys=CURATOR, **overrides)
    kb = KnowledgeBase(settings)
    Syncer(kb, embedder, settings).sync_paths([write_docs(tmp / "corpus")])
    services = build_services(settings, corpus_dir=tmp / "corpus")
    services.assistant = Assistant(settings, embedder=embedder, kb=kb)
    services.syncer = Syncer(kb, embedder, settings)
    return TestClient(create_app(settings, services=services, ui=ui), raise_server_exceptions=raise_errors)


@pytest.fixture(scope="module")
def client(tmp_path_factory, embedder) -> TestClient:  # noqa: ANN001
    with make_client(tmp_path_factory.mktemp("api"), embedder) as c:
        yield c


@pytest.fixture
def curator() -> dict[str, str]:
    return {"Authorization": f"Bearer {CURATOR}"}
