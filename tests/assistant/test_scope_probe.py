"""The scope probe: its shipped weights, what it says about questions it never saw, and how it is retrained."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from assistant.embeddings import Embedder
from assistant.evidence import IN_DOMAIN_WEIGHT, Evidence
from assistant.glossary import expand
from assistant.scope_probe import LIMIT, NoProbe, ScopeProbe, probe_for
from bench import train_scope
from bench.evaluate import SETS, TUNING
from bench.evaluation import QuestionSet


def tiny_probe(model: str = "model", bias: float = 0.0) -> ScopeProbe:
    """Two support questions on the unit circle: one in scope at (1, 0), one out at (0, 1)."""
    support = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    return ScopeProbe(model, support, np.array([2.0, -2.0], dtype=np.float32), bias=bias, gamma=1.0)


def test_a_question_leans_towards_the_support_questions_nearest_it() -> None:
    probe = tiny_probe()
    assert probe.lean(np.array([1.0, 0.0])) == pytest.approx(2.0 * (1 - np.exp(-2.0)))
    assert probe.lean(np.array([0.0, 1.0])) == pytest.approx(-2.0 * (1 - np.exp(-2.0)))
    # Halfway between, the two pull equally and the bias decides.
    assert tiny_probe(bias=0.25).lean(np.array([np.sqrt(0.5), np.sqrt(0.5)])) == pytest.approx(0.25)


def test_the_lean_is_clipped_and_needs_a_question_vector() -> None:
    strong = ScopeProbe("model", np.array([[1.0, 0.0]], dtype=np.float32), np.array([10.0]), bias=0.0, gamma=1.0)
    assert strong.lean(np.array([1.0, 0.0])) == LIMIT
    assert tiny_probe(bias=-10.0).lean(np.array([1.0, 0.0])) == -LIMIT
    assert tiny_probe().lean(None) == 0.0


def test_a_saved_probe_loads_back_with_what_it_was_trained_on(tmp_path: Path) -> None:
    path = tmp_path / "probe.npz"
    tiny_probe(bias=-1.0).save(path, in_scope_questions=3)
    again = ScopeProbe.load(path)
    assert (again.model, again.bias, again.gamma, again.dimension) == ("model", -1.0, 1.0, 2)
    assert again.support.tolist() == [[1.0, 0.0], [0.0, 1.0]] and again.coef.tolist() == [2.0, -2.0]
    with np.load(path) as data:
        assert '"in_scope_questions": 3' in str(data["about"])


def test_a_probe_for_another_embedding_model_is_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "probe.npz"
    ScopeProbe("all-MiniLM-L6-v2", np.zeros((1, 384), dtype=np.float32), np.ones(1), bias=2.0, gamma=1.0).save(path)
    assert isinstance(probe_for("all-MiniLM-L6-v2", 384, path), ScopeProbe)
    with caplog.at_level(logging.WARNING):
        other = probe_for("some-other-model", 768, path)
    assert isinstance(other, NoProbe) and other.lean(np.ones(768)) == 0.0
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
# Long stories, also written for this test: the same tired voice, the same words for sharing, rotas, rows and
# rules, about a relationship between organisations or about private and community life. Before the probe was
# trained on such stories (bench/scope/*_stories.yaml), it leaned in for all five.
STORIES_IN = [
    "We've supplied our sauces to a regional chain of delis for six years and the new buyer there barely answers "
    "emails. Orders are down a third and I can't tell if they're quietly replacing us or just overwhelmed. My "
    "business partner wants to stop chasing them. How do I find out where we stand with them, and what would a "
    "fair reset conversation look like?",
    "The hospital trust we run the outpatient physio service for keeps changing its referral rules without "
    "telling us, and my therapists are getting the blame from patients. The contract is up for renewal next "
    "spring. I'm exhausted from firefighting. How do I get a regular review meeting in place with them, and what "
    "should we track so the renewal isn't a fight?",
]
STORIES_OUT = [
    "Our allotment society has six plot holders sharing one shed and a water tank, and the treasurer has started "
    "charging extra for the hose without asking anyone. Two of the older members are furious and have stopped "
    "coming to the monthly meeting. I only joined last year and don't want to take sides, but the shed is a mess "
    "and the bills keep piling up. How do I get everyone back round the table, and should we write down some rules?",
    "Four of us from the same street take turns walking our kids to school, and lately one dad keeps swapping his "
    "days at the last minute. The rest of us are juggling work and it's causing real tension in the group chat. I "
    "like him and don't want a row. How do I bring it up without it turning nasty, and is it worth agreeing a "
    "proper rota?",
    "My two sisters and I share looking after our mum since her fall, but one of them lives closest and ends up "
    "doing most of it, and she's started to resent the rest of us. We tried a shared calendar but nobody sticks to "
    "it. How do we split the load fairly, and how do I raise it without a fight?",
]


@pytest.mark.parametrize("question", IN_SCOPE + STORIES_IN)
def test_the_shipped_probe_leans_in_for_partnership_practice(embedder: Embedder, question: str) -> None:
    assert probe_for(embedder.name, embedder.dimension).lean(embedder.embed_query(question)) > 0


@pytest.mark.parametrize("question", OUT_OF_SCOPE + STORIES_OUT)
def test_the_shipped_probe_leans_out_for_specialist_and_everyday_questions(embedder: Embedder, question: str) -> None:
    assert probe_for(embedder.name, embedder.dimension).lean(embedder.embed_query(question)) < 0


@pytest.mark.slow
def test_training_again_reproduces_the_shipped_weights(embedder: Embedder) -> None:
    """The shipped probe is what `python -m bench.train_scope` writes from the committed questions, not a hand edit."""
    probe, about = train_scope.train(embedder)
    assert train_scope.differs(probe, ScopeProbe.load()) <= train_scope.TOLERANCE
    assert about["in_scope_questions"] > 500 and about["out_of_scope_questions"] > 500


@pytest.mark.slow
def test_calibration_reads_each_tuning_set_with_a_probe_that_never_saw_it(embedder: Embedder) -> None:
    """The threshold is fitted on leans of questions the probe did not train on, as a user's question would be."""
    probes = train_scope.out_of_fold(embedder)
    assert set(probes) == set(TUNING)
    questions = QuestionSet.load(SETS["heldout3"][1]).answerable()
    vectors = np.asarray(embedder.embed_documents([expand(q) for q in questions]), dtype=np.float32)

    def nearest_support(probe: ScopeProbe) -> np.ndarray:
        return np.min(np.sum((vectors[:, None, :] - probe.support[None, :, :]) ** 2, axis=2), axis=1)

    # The shipped probe rests on some of the set's own questions; the one calibration reads the set with, on none.
    assert np.min(nearest_support(ScopeProbe.load())) < 1e-4
    assert np.min(nearest_support(probes["heldout3"])) > 1e-4
