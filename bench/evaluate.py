"""`make eval`: run the evaluation set through the /v1/ask path, print the scores, append them to
bench/RESULTS.md, and exit non-zero when a target is missed.

    python -m bench.evaluate                 # shipped corpus + bench/eval/questions.yaml
    python -m bench.evaluate --heldout       # documents the project never tuned on
    python -m bench.evaluate --set heldout2  # a second held-out set, written after tuning and never tuned on
    python -m bench.evaluate --all           # every set (what `make eval` runs); fails if any misses
    python -m bench.evaluate --calibrate     # evidence scores, to choose ALLY_ABSTAIN_THRESHOLD
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import platform
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from assistant.embeddings import Embedder
from assistant.followup import standalone_query
from assistant.glossary import expand
from assistant.knowledge_base import KnowledgeBase
from assistant.service import Assistant
from assistant.settings import Settings
from bench.evaluation import QuestionSet, evaluate, misses_targets, total_questions
from ingest.sync import Syncer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SETS = {
    "shipped": (ROOT / "corpus", ROOT / "bench" / "eval" / "questions.yaml"),
    "heldout": (ROOT / "bench" / "eval" / "heldout" / "docs", ROOT / "bench" / "eval" / "heldout" / "questions.yaml"),
    # Written after the evidence score was tuned, and never used for tuning: the honest generalisation check.
    "heldout2": (
        ROOT / "bench" / "eval" / "heldout2" / "docs",
        ROOT / "bench" / "eval" / "heldout2" / "questions.yaml",
    ),
}


def build(corpus: Path, data_dir: Path, embedder: Embedder) -> Assistant:
    settings = Settings(data_dir=data_dir)
    kb = KnowledgeBase(settings)
    report = Syncer(kb, embedder, settings).sync_paths([corpus], prune=True)
    if report.failed:
        raise SystemExit(f"ingest failed: {report.summary()}")
    assistant = Assistant(settings, embedder=embedder, kb=kb)
    assistant.warm_up()
    return assistant


def calibrate(assistant: Assistant, questions: QuestionSet) -> None:
    def score(question: str) -> float:
        query = expand(standalone_query(question, ()))
        retrieved = assistant.retriever.retrieve(query)
        return assistant.evidence(query, retrieved.passages, dense_scores=retrieved.dense_scores).score

    inside = sorted(score(q["question"]) for q in questions.in_scope)
    outside = sorted(score(q["question"]) for q in questions.out_of_scope)
    print(
        f"in-scope evidence: min {inside[0]:.3f} p5 {inside[len(inside) // 20]:.3f} "
        f"median {inside[len(inside) // 2]:.3f}"
    )
    print(f"out-of-scope evidence: max {outside[-1]:.3f} median {outside[len(outside) // 2]:.3f}")
    above = [s for s in inside if s > outside[-1]]
    if above:
        middle = (outside[-1] + above[0]) / 2
        share = len(above) / len(inside)
        print(f"midpoint between the highest out-of-scope and the next in-scope: {middle:.3f} (answers {share:.1%})")
    for threshold in sorted({round(x, 3) for x in outside[-3:]} | {round(outside[-1] + 0.005, 3)}):
        answered = sum(s >= threshold for s in inside) / len(inside)
        declined = sum(s < threshold for s in outside) / len(outside)
        print(f"threshold {threshold:.3f}: answers {answered:.1%} in scope, declines {declined:.1%} out of scope")


def table(summary: dict[str, float]) -> str:
    rows = ["| metric | value |", "|---|---|"]
    rows += [f"| {name} | {value} |" for name, value in summary.items()]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heldout", action="store_true", help="use the held-out documents and questions")
    parser.add_argument("--all", action="store_true", help="evaluate every set (shipped and both held-out sets)")
    parser.add_argument("--set", choices=list(SETS), help="evaluate one named set")
    parser.add_argument("--calibrate", action="store_true", help="print evidence scores instead of evaluating")
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    names = list(SETS) if args.all else [args.set or ("heldout" if args.heldout else "shipped")]
    embedder = Embedder()
    command = " ".join(["python -m bench.evaluate", *(argv if argv is not None else sys.argv[1:])])
    failures = [run_set(name, args, embedder, command) for name in names]
    return 1 if any(failures) else 0


def run_set(name: str, args: argparse.Namespace, embedder: Embedder, command: str) -> bool:
    """Evaluate one set; True when a target was missed."""
    corpus, question_file = SETS[name]
    questions = QuestionSet.load(question_file)
    data_dir = Path(tempfile.mkdtemp(prefix="ally-eval-"))
    try:
        assistant = build(corpus, data_dir, embedder)
        if args.calibrate:
            print(f"[{name}]")
            calibrate(assistant, questions)
            return False
        with tqdm(total=total_questions(questions), desc=f"eval ({name})", unit="q", file=sys.stderr) as bar:
            scores = evaluate(assistant, questions, bar.update)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    summary = scores.summary()
    print(f"\n[{name}]")
    print(table(summary))
    for miss in scores.misses:
        print("miss:", miss)
    failed = misses_targets(summary)
    if not args.no_record:
        record(name, summary, failed, command, question_file)
    for line in failed:
        print(f"TARGET MISSED ({name}):", line)
    return bool(failed)


def record(name: str, summary: dict[str, float], failed: list[str], command: str, question_file: Path) -> None:
    digest = hashlib.sha256(question_file.read_bytes()).hexdigest()[:10]
    lines = [
        "",
        f"## Answer quality ({name} set) — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Command: `{command.strip()}` (via `make eval`). Questions: `{question_file.relative_to(ROOT)}` "
        f"(sha256 {digest}). Machine: {platform.machine()}, Python {platform.python_version()}, extractive composer.",
        "",
        table(summary),
        "",
        "Targets: " + ("all met." if not failed else "missed: " + "; ".join(failed)),
        "",
    ]
    with RESULTS.open("a") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
