"""Train the scope probe (`assistant/scope_probe.py`) and write it to assistant/data/scope_probe.npz.

    python -m bench.train_scope            # train, print the fit, write the probe
    python -m bench.train_scope --check    # train and fail if the result differs from the shipped probe

Training questions, labelled in scope (1) or not (0):
- bench/scope/in_scope.yaml: questions about running partnerships, in many sectors and styles;
- bench/scope/out_of_scope.yaml: near misses that borrow partnership words to ask for specialist advice (tax,
  law, software, market figures...) and questions from users who wandered in;
- bench/scope/in_scope_stories.yaml and out_of_scope_stories.yaml: long first-person stories, about a relationship
  between two organisations or about personal and community life, in balance, so that a long chatty message is
  judged by what it is about, not by being a story;
- the questions of the tuning sets in bench/evaluate.py (TUNING), which the evidence score is fitted on anyway.
The later held-out sets are never trained on: they check that the probe carries over.

Each question is embedded as `/v1/ask` embeds it (glossary expansion, then the embedding model), and a
support-vector classifier with a Gaussian kernel is fitted. The probe fits its training questions more closely
than questions it never saw, so the threshold is calibrated on leans it did not train on: for each tuning set, a
probe trained without that set (`out_of_fold`). After training, recalibrate with
`python -m bench.evaluate --calibrate`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np
import yaml
from sklearn.svm import SVC

from assistant.embeddings import Embedder
from assistant.glossary import expand
from assistant.scope_probe import PROBE_FILE, ScopeProbe
from bench.evaluate import SETS, TUNING
from bench.evaluation import QuestionSet

ROOT = Path(__file__).resolve().parent.parent
SCOPE = ROOT / "bench" / "scope"
REGULARISATION = 3.0  # C: how much a misread training question costs against a smoother boundary
GAMMA = 1.0  # kernel width; for unit-length embeddings, scikit-learn's "scale" default comes to about 1
TOLERANCE = 1e-3
SCOPE_FILES = "scope"  # what `origins` names the questions of bench/scope/ by
IN_SCOPE_FILES = ("in_scope.yaml", "in_scope_stories.yaml")
OUT_OF_SCOPE_FILES = ("out_of_scope.yaml", "out_of_scope_stories.yaml")


def training_questions() -> tuple[list[str], list[int], list[str]]:
    """The questions, their labels, and where each comes from: SCOPE_FILES or the name of its tuning set."""
    inside = [q for name in IN_SCOPE_FILES for q in yaml.safe_load((SCOPE / name).read_text())["questions"]]
    outside = [
        item["question"]
        for name in OUT_OF_SCOPE_FILES
        for item in yaml.safe_load((SCOPE / name).read_text())["questions"]
    ]
    questions = inside + outside
    labels = [1] * len(inside) + [0] * len(outside)
    origins = [SCOPE_FILES] * len(questions)
    for name in TUNING:
        question_set = QuestionSet.load(SETS[name][1])
        answerable, other = question_set.answerable(), [q["question"] for q in question_set.out_of_scope]
        questions += answerable + other
        labels += [1] * len(answerable) + [0] * len(other)
        origins += [name] * (len(answerable) + len(other))
    return questions, labels, origins


def fit(model: str, vectors: np.ndarray, labels: np.ndarray) -> ScopeProbe:
    svc = SVC(C=REGULARISATION, kernel="rbf", gamma=GAMMA).fit(vectors, labels)
    support = svc.support_vectors_.astype(np.float32)
    return ScopeProbe(model, support, svc.dual_coef_[0].astype(np.float32), float(svc.intercept_[0]), GAMMA)


def embedded(embedder: Embedder) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The training questions as `/v1/ask` embeds them (glossary expansion first), their labels and origins."""
    questions, labels, origins = training_questions()
    vectors = np.asarray(embedder.embed_documents([expand(q) for q in questions]), dtype=np.float32)
    return vectors, np.asarray(labels), np.asarray(origins)


def train(embedder: Embedder) -> tuple[ScopeProbe, dict[str, object]]:
    vectors, labels, _ = embedded(embedder)
    probe = fit(embedder.name, vectors, labels)
    leans = np.array([probe.lean(v) for v in vectors])
    accuracy = float(np.mean((leans > 0) == labels.astype(bool)))
    about = {
        "in_scope_questions": int(labels.sum()),
        "out_of_scope_questions": int(len(labels) - labels.sum()),
        "support_questions": len(probe.coef),
        "regularisation": REGULARISATION,
        "training_accuracy": round(accuracy, 4),
        "trained_by": "python -m bench.train_scope",
    }
    return probe, about


def out_of_fold(embedder: Embedder) -> dict[str, ScopeProbe]:
    """For each tuning set, the probe trained on everything but that set's questions: what calibration reads its
    questions with, so the threshold is fitted on leans like those of questions the shipped probe never saw."""
    vectors, labels, origins = embedded(embedder)
    return {name: fit(embedder.name, vectors[origins != name], labels[origins != name]) for name in TUNING}


def differs(a: ScopeProbe, b: ScopeProbe) -> float:
    """The largest difference between two probes' weights (infinite when they rest on different questions)."""
    if a.support.shape != b.support.shape:
        return float("inf")
    return float(
        max(
            np.max(np.abs(a.support - b.support)),
            np.max(np.abs(a.coef - b.coef)),
            abs(a.bias - b.bias),
            abs(a.gamma - b.gamma),
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if training does not reproduce the shipped file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    probe, about = train(Embedder())
    print(
        f"trained on {about['in_scope_questions']} in-scope and {about['out_of_scope_questions']} out-of-scope "
        f"questions; training accuracy {about['training_accuracy']}"
    )
    if args.check:
        gap = differs(probe, ScopeProbe.load(PROBE_FILE))
        print(f"largest difference from {PROBE_FILE.relative_to(ROOT)}: {gap:.2e}")
        return 0 if gap <= TOLERANCE else 1
    probe.save(PROBE_FILE, **about)
    print(f"wrote {PROBE_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
