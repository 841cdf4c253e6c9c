"""Train the scope probe (`assistant/scope_probe.py`) and write its weights to assistant/data/scope_probe.json.

    python -m bench.train_scope            # train, print the fit, write the weights
    python -m bench.train_scope --check    # train and fail if the result differs from the shipped weights

Training questions, labelled in scope (1) or not (0):
- bench/scope/in_scope.yaml: questions about running partnerships, in many sectors and styles;
- bench/scope/out_of_scope.yaml: near misses that borrow partnership words to ask for specialist advice (tax,
  law, software, market figures...) and questions from users who wandered in;
- the questions of the tuning sets in bench/evaluate.py (TUNING), which the evidence score is fitted on anyway.
The later held-out sets are never trained on: they check that the probe carries over.

Each question is embedded as `/v1/ask` embeds it (glossary expansion, then the embedding model), and a logistic
regression with default regularisation is fitted. After training, recalibrate the threshold with
`python -m bench.evaluate --calibrate`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np
import yaml
from sklearn.linear_model import LogisticRegression

from assistant.embeddings import Embedder
from assistant.glossary import expand
from assistant.scope_probe import PROBE_FILE, ScopeProbe
from bench.evaluate import SETS, TUNING
from bench.evaluation import QuestionSet

ROOT = Path(__file__).resolve().parent.parent
SCOPE = ROOT / "bench" / "scope"
REGULARISATION = 1.0  # scikit-learn's default C
TOLERANCE = 1e-3


def training_questions() -> tuple[list[str], list[int]]:
    inside = list(yaml.safe_load((SCOPE / "in_scope.yaml").read_text())["questions"])
    outside = [item["question"] for item in yaml.safe_load((SCOPE / "out_of_scope.yaml").read_text())["questions"]]
    for name in TUNING:
        questions = QuestionSet.load(SETS[name][1])
        inside += questions.answerable()
        outside += [q["question"] for q in questions.out_of_scope]
    return inside + outside, [1] * len(inside) + [0] * len(outside)


def train(embedder: Embedder) -> tuple[ScopeProbe, dict[str, object]]:
    questions, labels = training_questions()
    vectors = embedder.embed_documents([expand(q) for q in questions])
    model = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(vectors, labels)
    accuracy = float(model.score(vectors, labels))
    probe = ScopeProbe(embedder.name, model.coef_[0].astype(np.float32), float(model.intercept_[0]))
    about = {
        "in_scope_questions": sum(labels),
        "out_of_scope_questions": len(labels) - sum(labels),
        "regularisation": REGULARISATION,
        "training_accuracy": round(accuracy, 4),
        "trained_by": "python -m bench.train_scope",
    }
    return probe, about


def differs(a: ScopeProbe, b: ScopeProbe) -> float:
    return float(max(np.max(np.abs(a.weights - b.weights)), abs(a.bias - b.bias)))


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
