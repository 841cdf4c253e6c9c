"""The scope probe: its shipped weights, what it says about questions it never saw, and how it is retrained."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import Embedder
from assistant.evidence import IN_DOMAIN_WEIGHT, Evidence
from assistant.scope_probe import LIMIT, NoProbe, ScopeProbe, probe_for
from bench import train_scope


def test_log_odds_are_clipped_and_need_a_question_vector() -> None:
    probe = ScopeProbe("model", np.array([10.0, 0.0], dtype=np.float32), bias=0.5)
    assert probe.log_odds(np.array([0.1, 0.9])) == pytest.approx(1.5)
    assert probe.log_odds(np.array([1.0, 0.0])) == LIMIT
    assert probe.log_odds(np.array([-1.0, 0.0])) == -LIMIT
    assert probe.log_odds(None) == 0.0


def test_saved_weights_load_back_with_what_they_were_trained_on(tmp_path: Path) -> None:
    probe = ScopeProbe("model", np.array([0.25, -0.5], dtype=np.float32), bias=-1.0)
    path = tmp_path / "probe.json"
    probe.save(path, in_scope_questions=3)
    again = ScopeProbe.load(path)
    assert (again.model, again.bias, again.weights.tolist()) == ("model", -1.0, [0.25, -0.5])
    assert '"in_scope_questions": 3' in path.read_text()


def test_weights_for_another_embedding_model_are_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "probe.json"
    ScopeProbe("all-MiniLM-L6-v2", np.zeros(384, dtype=np.float32), bias=2.0).save(path)
    assert isinstance(probe_for("all-MiniLM-L6-v2", 384, path), ScopeProbe)
    with caplog.at_level(logging.WARNING):
        other = probe_for("some-other-model", 768, path)
    assert isinstance(other, NoProbe) and other.log_odds(np.ones(768)) == 0.0
    assert "trained for all-MiniLM-L6-v2" in caplog.text


def test_the_probe_moves_the_evidence_score_by_its_weight() -> None:
    plain = Evidence(dense=0.5, answer_coverage=0.5, passage_coverage=0.5)
    leaning_in = Evidence(dense=0.5, answer_coverage=0.5, passage_coverage=0.5, in_domain=2.0)
    assert leaning_in.score - plain.score == pytest.approx(2.0 * IN_DOMAIN_WEIGHT)


# Questions written for this test, in none of the training files.
IN_SCOPE = [
    "How should we prepare for the first steering committee with a new co-development partner?",
    "partner satisfaction survey results low - what next",
    "We've had three different alliance leads on the partner's side this year and every time we start over. "
    "The relationship is fine but nothing moves. How do I keep momentum through their reorganisations?",
]
OUT_OF_SCOPE = [
    "What withholding tax applies to milestone payments our partner in Brazil sends to us?",
    "Under IFRS 16, is the lab space our research partner lends us a lease?",
    "How do I get wax out of a tablecloth?",
]


@pytest.mark.parametrize("question", IN_SCOPE)
def test_the_shipped_probe_leans_in_for_partnership_practice(embedder: Embedder, question: str) -> None:
    assert probe_for(embedder.name, embedder.dimension).log_odds(embedder.embed_query(question)) > 0


@pytest.mark.parametrize("question", OUT_OF_SCOPE)
def test_the_shipped_probe_leans_out_for_specialist_and_everyday_questions(embedder: Embedder, question: str) -> None:
    assert probe_for(embedder.name, embedder.dimension).log_odds(embedder.embed_query(question)) < 0


@pytest.mark.slow
def test_training_again_reproduces_the_shipped_weights(embedder: Embedder) -> None:
    """The shipped file is what `python -m bench.train_scope` writes from the committed questions, not a hand edit."""
    probe, about = train_scope.train(embedder)
    assert train_scope.differs(probe, ScopeProbe.load()) <= train_scope.TOLERANCE
    assert about["in_scope_questions"] > 500 and about["out_of_scope_questions"] > 500
