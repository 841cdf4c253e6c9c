"""How much a question reads like alliance-management practice rather than a specialist or everyday subject.

A support-vector classifier with a Gaussian kernel over the question's embedding, trained by
`python -m bench.train_scope` on questions labelled in scope or not (bench/scope/ and the tuning sets of
bench/evaluate.py). It ships as the training questions the boundary rests on (their embeddings), their signed
weights and a bias. Its lean adds to the evidence score (see `assistant.evidence`): a long, chatty question about
running a partnership gains, and a question that borrows partnership words to ask for tax, law, software or market
figures loses, however many words it shares with the passages. A kernel rather than a single direction, because
"specialist advice" is several separate regions of the embedding space (tax, law, software, pay...), not one side
of a plane.

The probe belongs to the embedding model it was trained with. Under another model it says nothing (0.0) and the
rest of the evidence score decides alone.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PROBE_FILE = Path(__file__).resolve().parent / "data" / "scope_probe.npz"
LIMIT = 3.0
"""The lean is clipped to ±LIMIT, so that no question is decided by the probe alone."""


@dataclass(frozen=True)
class ScopeProbe:
    model: str
    support: np.ndarray
    """The training questions' embeddings the boundary rests on, one row each."""
    coef: np.ndarray
    """Their signed weights: positive for in-scope questions."""
    bias: float
    gamma: float
    """Kernel width: a support question counts exp(-gamma * squared distance) towards a question's lean."""
    _support_norms: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_support_norms", np.einsum("ij,ij->i", self.support, self.support))

    @property
    def dimension(self) -> int:
        return int(self.support.shape[1])

    @classmethod
    def load(cls, path: Path = PROBE_FILE) -> ScopeProbe:
        with np.load(path, allow_pickle=False) as data:
            about = json.loads(str(data["about"]))
            return cls(
                about["model"],
                data["support"].astype(np.float32),
                data["coef"].astype(np.float32),
                float(about["bias"]),
                float(about["gamma"]),
            )

    def save(self, path: Path, **about: object) -> None:
        """Write the probe with what it was trained on (`about`). The support rows are stored at half precision,
        which moves a lean by far less than the rounding of any score it feeds."""
        header = {"model": self.model, "bias": self.bias, "gamma": self.gamma, **about}
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            np.savez_compressed(
                out,
                support=self.support.astype(np.float16),
                coef=self.coef.astype(np.float32),
                about=np.array(json.dumps(header, indent=1)),
            )

    def fits(self, model: str, dimension: int) -> bool:
        return model == self.model and dimension == self.dimension

    def lean(self, query_vector: np.ndarray | None) -> float:
        """In scope above 0, out of scope below, clipped to ±LIMIT; 0.0 without a question vector."""
        if query_vector is None:
            return 0.0
        vector = np.asarray(query_vector, dtype=np.float32)
        # |s - v|^2 = |s|^2 - 2 s.v + |v|^2: one matrix-vector product instead of a support-sized difference.
        distances = self._support_norms - 2.0 * (self.support @ vector) + float(vector @ vector)
        value = float(self.coef @ np.exp(-self.gamma * distances) + self.bias)
        return max(-LIMIT, min(LIMIT, value))


class NoProbe:
    """Stands in when the shipped probe does not fit the embedding model in use."""

    def lean(self, query_vector: np.ndarray | None) -> float:
        return 0.0


def probe_for(model: str, dimension: int, path: Path = PROBE_FILE) -> ScopeProbe | NoProbe:
    probe = ScopeProbe.load(path)
    if probe.fits(model, dimension):
        return probe
    log.warning(
        "the scope probe was trained for %s (%d dimensions), not %s (%d): abstention uses the other signals only",
        probe.model,
        probe.dimension,
        model,
        dimension,
    )
    return NoProbe()
