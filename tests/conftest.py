"""Shared fixtures: the real embedding model (loaded once), a temporary data dir, a small corpus."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.embeddings import Embedder  # noqa: E402
from assistant.knowledge_base import KnowledgeBase  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from ingest.sync import Syncer  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

SMALL_DOCS = {
    "articles/health.md": """\
        ---
        id: t-health
        title: Running a Partner Health Check
        type: article
        topics: [health-checks]
        lifecycle: launch-and-management
        ---
        ## Why check health

        A joint health check with the partner reviews strategic fit, operational fit and trust once a year.
        Anonymous surveys on a one to five scale show where the two partners see the alliance differently.

        ## How to act on results

        The written comments in a health check survey matter more than the average scores.
        Agree three actions with the partner after every health check and review them at the next steering committee.
        """,
    "playbooks/reset.md": """\
        ---
        id: t-reset
        title: Autumn Reset Playbook
        type: playbook
        topics: [resets]
        ---
        ## Steps

        1. The alliance manager audits the whole portfolio in September, when two thirds of the year's data is in.
        2. Book joint business reviews and steering committees before the budget round closes.
        3. Align fourth-quarter deliverables and next year's priorities with each partner.
        """,
    "notes/priorities.txt": """\
        Deciding Which Alliances Come First

        Rank every alliance in the portfolio on a grid of risk against value.
        Alliances that reach a critical milestone this week are the priority of the week.
        A partner's home region says nothing about how important the partner is.
        """,
}


def write_docs(root: Path, docs: dict[str, str] | None = None) -> Path:
    for rel, text in (docs or SMALL_DOCS).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    model = Embedder()
    model.embed_query("warm up")
    return model


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)


@pytest.fixture
def kb(settings: Settings) -> KnowledgeBase:
    base = KnowledgeBase(settings)
    yield base
    base.close()


@pytest.fixture
def syncer(kb: KnowledgeBase, embedder: Embedder, settings: Settings) -> Syncer:
    return Syncer(kb, embedder, settings)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    return write_docs(tmp_path / "corpus")


@pytest.fixture
def assistant(
    settings: Settings, embedder: Embedder, kb: KnowledgeBase, syncer: Syncer, small_corpus: Path
) -> Assistant:
    syncer.sync_paths([small_corpus])
    return Assistant(settings, embedder=embedder, kb=kb)
