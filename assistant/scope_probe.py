"""How much a question reads like alliance-management practice rather than a specialist or everyday subject.

A logistic regression on the question's embedding, trained by `python -m bench.train_scope` on questions labelled
in scope or not (bench/scope/ and the tuning sets of bench/evaluate.py) and shipped as a small JSON file of
weights. Its log-odds add to the evidence score (see `assistant.evidence`): a long, chatty question about running
a partnership gains, and a question that borrows partnership words to ask for tax, law, software or market
figures loses, however many words it shares with the passages.

The weights belong to the embedding model they were trained with. Under another model the probe says nothing
(0.0) and the rest of the evidence score decides alone.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PROBE_FILE = Path(__file__).resolve().parent / "data" / "scope_probe.json"
LIMIT = 3.0
"""The log-odds are clipped to ±LIMIT, so that no question is decided by the probe alone."""


@dataclass(frozen=True)
class ScopeProbe:
    model: str
    weights: np.ndarray
    bias: float

    @classmethod
    def load(cls, path: Path = PROBE_FILE) -> ScopeProbe:
        data = json.loads(path.read_text())
        return cls(data["model"], np.asarray(data["weights"], dtype=np.float32), float(data["bias"]))

    def save(self, path: Path, **about: object) -> None:
        """Write the weights with what they were trained on (`about`); rounded, so a retrain diffs cleanly."""
        data = {
            "model": self.model,
            **about,
            "bias": round(self.bias, 6),
            "weights": [round(float(w), 6) for w in self.weights],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1) + "\n")

    def fits(self, model: str, dimension: int) -> bool:
        return model == self.model and dimension == len(self.weights)

    def log_odds(self, query_vector: np.ndarray | None) -> float:
        """In scope above 0, out of scope below, clipped to ±LIMIT; 0.0 without a question vector."""
        if query_vector is None:
            return 0.0
        value = float(np.asarray(query_vector, dtype=np.float32) @ self.weights + self.bias)
        return max(-LIMIT, min(LIMIT, value))


class NoProbe:
    """Stands in when the shipped weights do not fit the embedding model in use."""

    def log_odds(self, query_vector: np.ndarray | None) -> float:
        return 0.0


def probe_for(model: str, dimension: int, path: Path = PROBE_FILE) -> ScopeProbe | NoProbe:
    probe = ScopeProbe.load(path)
    if probe.fits(model, dimension):
        return probe
    log.warning(
        "the scope probe was trained for %s (%d dimensions), not %s (%d): abstention uses the other signals only",
        probe.model,
        len(probe.weights),
        model,
        dimension,
    )
    return NoProbe()
