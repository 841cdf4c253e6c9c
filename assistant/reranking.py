"""An optional cross-encoder reranker, loaded from a local folder when a setting names one."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.passages import Passage

log = logging.getLogger(__name__)


class Reranker:
    def __init__(self, model_path: Path, top_n: int = 30) -> None:
        if not model_path.is_dir():
            raise FileNotFoundError(f"reranker folder not found: {model_path}")
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(str(model_path), device="cpu")
        self.top_n = top_n

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        head, tail = passages[: self.top_n], passages[self.top_n :]
        scores = self.model.predict([(query, p.text) for p in head], show_progress_bar=False)
        for passage, score in zip(head, scores, strict=True):
            passage.score = float(score)
        return sorted(head, key=lambda p: -p.score) + tail
