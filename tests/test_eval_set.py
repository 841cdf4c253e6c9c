"""The evaluation set: its expected ids exist, it is big enough, and a slice of it still passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embeddings import Embedder
from bench.evaluation import QuestionSet, evaluate
from ingest.frontmatter import split_front_matter

ROOT = Path(__file__).resolve().parent.parent
CORPUS_IDS = {split_front_matter(p.read_text())[0]["id"] for p in (ROOT / "corpus").rglob("*.md")}
QUESTIONS = QuestionSet.load(ROOT / "bench" / "eval" / "questions.yaml")
EVAL = ROOT / "bench" / "eval"
HELD_OUT = sorted(p.name for p in EVAL.iterdir() if (p / "docs").is_dir())


def test_every_expected_id_exists_in_the_corpus() -> None:
    assert QUESTIONS.expected_ids() <= CORPUS_IDS, QUESTIONS.expected_ids() - CORPUS_IDS


def test_the_calibration_set_points_into_the_corpus() -> None:
    calibration = QuestionSet.load(EVAL / "calibration.yaml")
    assert calibration.expected_ids() <= CORPUS_IDS, calibration.expected_ids() - CORPUS_IDS
    assert len(calibration.in_scope) >= 30 and len(calibration.out_of_scope) >= 30


@pytest.mark.parametrize("name", ["stories", "stories2"])
def test_the_story_sets_point_into_the_corpus_and_quote_it(name: str) -> None:
    from ingest.loaders import load

    stories = QuestionSet.load(EVAL / f"{name}.yaml")
    texts = {}
    for path in (ROOT / "corpus").rglob("*.md"):
        doc = load(path.read_bytes(), path.name)
        texts[doc.metadata["id"]] = " ".join(doc.text.lower().split())
    assert stories.expected_ids() <= texts.keys(), stories.expected_ids() - texts.keys()
    for item in stories.in_scope:
        assert 60 <= len(item["question"].split()) <= 100, item["id"]
        for keyword in item["keywords"]:
            assert any(" ".join(keyword.lower().split()) in texts[d] for d in item["expected"]), item["id"]
    assert len(stories.in_scope) >= 30 and sum(q["near_miss"] for q in stories.out_of_scope) >= 10
    assert sum(not q["near_miss"] for q in stories.out_of_scope) >= 10


@pytest.mark.parametrize("name", HELD_OUT)
def test_held_out_sets_point_into_their_documents_and_quote_them(name: str) -> None:
    from ingest.loaders import load

    questions = QuestionSet.load(EVAL / name / "questions.yaml")
    documents = {}
    for path in sorted((EVAL / name / "docs").iterdir()):
        doc = load(path.read_bytes(), path.name)
        documents[doc.metadata.get("id") or path.stem] = " ".join(doc.text.lower().split())
    assert questions.expected_ids() <= documents.keys(), questions.expected_ids() - documents.keys()
    assert questions.out_of_scope and questions.conversations
    turns = [t for c in questions.conversations for t in c["turns"]]
    for item in [*questions.in_scope, *turns]:
        for keyword in item["keywords"]:
            wanted = " ".join(keyword.lower().split())
            assert any(wanted in documents[d] for d in item["expected"]), (item["question"], keyword)


def test_set_sizes_and_shape() -> None:
    assert len(QUESTIONS.in_scope) >= 60
    assert len(QUESTIONS.out_of_scope) >= 12
    assert sum(q.get("near_miss", False) for q in QUESTIONS.out_of_scope) >= 4
    assert len(QUESTIONS.conversations) >= 6
    assert all(len(c["turns"]) >= 2 for c in QUESTIONS.conversations)
    assert all(q["keywords"] and q["expected"] for q in QUESTIONS.in_scope)
    assert len({q["id"] for q in QUESTIONS.in_scope}) == len(QUESTIONS.in_scope)


@pytest.fixture(scope="module")
def shipped_assistant(tmp_path_factory, embedder: Embedder):  # noqa: ANN001, ANN201
    from assistant.knowledge_base import KnowledgeBase
    from assistant.service import Assistant
    from assistant.settings import Settings
    from ingest.sync import Syncer

    settings = Settings(data_dir=tmp_path_factory.mktemp("eval") / "data")
    kb = KnowledgeBase(settings)
    Syncer(kb, embedder, settings).sync_paths([ROOT / "corpus"])
    return Assistant(settings, embedder=embedder, kb=kb)


def test_regression_slice_of_the_evaluation_set(shipped_assistant) -> None:  # noqa: ANN001
    """Every fourth question: retrieval quality and abstention must not regress."""
    sliced = QuestionSet(QUESTIONS.in_scope[::4], QUESTIONS.out_of_scope[::2], QUESTIONS.conversations[::3])
    summary = evaluate(shipped_assistant, sliced).summary()
    assert summary["hit@3"] >= 0.8, summary
    assert summary["declined"] == 1.0, summary
    assert summary["answered"] >= 0.85, summary
    assert summary["followup_hit@3"] >= 0.5, summary


def test_the_chat_answers_on_each_main_need_with_citations_into_the_corpus(shipped_assistant) -> None:  # noqa: ANN001
    for question, topic in [
        ("Which of my alliances should get my time first?", "priorities"),
        ("How do I run a health check with a partner?", "health-checks"),
        ("When and how should we reset our alliance portfolio?", "resets"),
    ]:
        answer = shipped_assistant.ask(question)
        assert not answer.abstained and answer.citations, question
        assert all(c.passage.doc_id in CORPUS_IDS for c in answer.citations)
        assert any(topic in c.passage.topics for c in answer.citations), (question, answer.citations)
