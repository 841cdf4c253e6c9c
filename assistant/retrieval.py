"""Hybrid retrieval: dense vectors and BM25 fused by reciprocal rank, then filters and diversity.

This is the one pipeline behind /v1/ask, /v1/search, the chat and the benchmarks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from assistant.embeddings import Embedder
from assistant.knowledge_base import KnowledgeBase
from assistant.passages import Filters, Passage
from assistant.reranking import Reranker
from assistant.settings import Settings
from assistant.text import is_story, terms, the_ask

log = logging.getLogger(__name__)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = 60
) -> dict[str, float]:
    """Sum of weight / (k + rank) over every ranking an id appears in (ranks start at 1)."""
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def fusion_weights(
    query: str, dense_weight: float, keyword_weight: float, long_query_words: int
) -> tuple[float, float]:
    """The weights of the dense and the keyword ranking in the fusion for `query`.

    Past `long_query_words` words the keyword weight shrinks in proportion. A long story ("Our go-live with an
    integrator is a mess... what should we actually be doing?") shares incidental words with many passages and
    BM25 rewards each of them, while the dense model reads the situation as a whole."""
    if is_story(query, long_query_words):
        keyword_weight *= long_query_words / len(query.split())
    return dense_weight, keyword_weight


def near_duplicate(a: AbstractSet[str], b: AbstractSet[str], threshold: float = 0.8) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= threshold


def diversify(passages: Sequence[Passage], k: int, max_per_document: int) -> list[Passage]:
    """Keep rank order, but skip near-duplicates and more than `max_per_document` from one document."""
    chosen: list[Passage] = []
    seen_terms: list[set[str]] = []
    per_doc: dict[str, int] = {}
    for passage in passages:
        if per_doc.get(passage.doc_id, 0) >= max_per_document:
            continue
        words = set(terms(passage.text))
        if any(near_duplicate(words, other) for other in seen_terms):
            continue
        chosen.append(passage)
        seen_terms.append(words)
        per_doc[passage.doc_id] = per_doc.get(passage.doc_id, 0) + 1
        if len(chosen) == k:
            break
    return chosen


@dataclass
class Retrieved:
    passages: list[Passage]
    candidates: list[Passage]
    query_vector: np.ndarray | None
    dense_scores: list[float] = field(default_factory=list)
    """Similarities of the dense candidates, best first (before filters and fusion)."""


class Retriever:
    def __init__(
        self, kb: KnowledgeBase, embedder: Embedder, settings: Settings, reranker: Reranker | None = None
    ) -> None:
        self.kb = kb
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker

    def retrieve(
        self,
        query: str,
        k: int | None = None,
        filters: Filters | None = None,
        mode: str = "hybrid",
    ) -> Retrieved:
        k = k or self.settings.top_k
        filters = filters or Filters()
        n = self.settings.candidates * (3 if filters else 1)
        dense: list[tuple[str, float]] = []
        vector = None
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            dense = self.kb.dense_search(vector, n, filters.chroma_where())
        keyword = self.kb.keyword_search(query, n) if mode in ("hybrid", "keyword") else []
        weights = fusion_weights(
            query, self.settings.dense_weight, self.settings.keyword_weight, self.settings.long_query_words
        )
        fused = reciprocal_rank_fusion(
            [[cid for cid, _ in dense], [cid for cid, _ in keyword]], weights, self.settings.rrf_k
        )
        dense_scores, keyword_scores = dict(dense), dict(keyword)
        stored = self.kb.stored_chunks(list(fused))
        candidates: list[Passage] = []
        for cid, score in sorted(fused.items(), key=lambda item: -item[1]):
            hit = stored.get(cid)
            if hit is None or not filters.admits(hit.doc_type, hit.topics, hit.lifecycle):
                continue
            candidates.append(Passage.of(hit, score, dense_scores.get(cid), keyword_scores.get(cid)))
        if self.reranker is not None and candidates:
            candidates = self.reranker.rerank(query, candidates)
        passages = diversify(candidates, k, self.settings.max_per_document)
        if vector is not None:
            self._read_against_the_ask(query, passages)
        return Retrieved(passages, candidates, vector, [score for _, score in dense])

    def _read_against_the_ask(self, query: str, passages: Sequence[Passage]) -> None:
        """For a story, set each passage's similarity to the sentences of it that ask (`Passage.ask`).

        The story as a whole ranks the passages; its asking sentences ("What should we be tracking so we get a
        warning early enough to act?") say which of them the answer must speak to, and the composer quotes the
        passage closest to them (see `ExtractiveComposer`). One more embedding, of a sentence or two."""
        if not passages or not is_story(query, self.settings.long_query_words):
            return
        ask = the_ask(query)
        if ask == query:
            return
        vector = self.embedder.embed_query(ask)
        stored = self.kb.vectors([p.chunk_id for p in passages])
        for passage in passages:
            if passage.chunk_id in stored:
                passage.ask = float(stored[passage.chunk_id] @ vector)
