"""`make eval`: run the question sets through the /v1/ask path, print the scores, append them to
bench/RESULTS.md, and exit non-zero when a target is missed.

    python -m bench.evaluate                   # shipped corpus + bench/eval/questions.yaml
    python -m bench.evaluate --set heldout5    # one named set (see SETS)
    python -m bench.evaluate --all             # every gated set, and the held-out ones pooled (what `make eval`
                                               # runs); fails if any misses (see `reading` and `report_unseen`)
    python -m bench.evaluate --calibrate       # fit ALLY_ABSTAIN_THRESHOLD on the tuning sets
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import math
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from assistant.embeddings import Embedder
from assistant.followup import standalone_query
from assistant.glossary import expand
from assistant.knowledge_base import KnowledgeBase
from assistant.scope_probe import ScopeProbe
from assistant.service import Assistant
from assistant.settings import Settings
from bench.evaluation import (
    QuestionSet,
    Scores,
    evaluate,
    misses_targets,
    outcomes,
    pooled,
    share_interval,
    total_questions,
)
from ingest.sync import Syncer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
EVAL = ROOT / "bench" / "eval"


def held_out(name: str) -> tuple[Path, Path]:
    """A held-out set: its own documents in `bench/eval/<name>/docs` and its questions beside them."""
    return EVAL / name / "docs", EVAL / name / "questions.yaml"


SETS = {
    "shipped": (ROOT / "corpus", EVAL / "questions.yaml"),
    # More questions on the shipped corpus, many of them hard near misses; used to fit the evidence score.
    "calibration": (ROOT / "corpus", EVAL / "calibration.yaml"),
    # First-person stories on the shipped corpus, written blind in a later session once the tuning sets were found
    # to hold almost none (one in-scope story, no out-of-scope one). Their evidence scores were read first, to try
    # a threshold of their own for stories (rejected); then the set was run once with nothing in answering changed.
    # Its one answered wandered-in story (a neighbour's drumming) and 21 of 80 everyday stories written later as a
    # development set (not in the repo) led to the scope probe being trained on long stories from both sides
    # (bench/scope/*_stories.yaml); the development set was never trained on.
    "stories": (ROOT / "corpus", EVAL / "stories.yaml"),
    # Written blind meanwhile by a separate author who read only corpus/ and DOMAIN.md, and first run once that
    # change was committed: the honest check that it carries over.
    "stories2": (ROOT / "corpus", EVAL / "stories2.yaml"),
    "heldout": held_out("heldout"),
    "heldout2": held_out("heldout2"),
    # Written by separate authors after the first evidence score was tuned; their misses shaped the second one.
    "heldout3": held_out("heldout3"),
    "heldout4": held_out("heldout4"),
    # Written while the second evidence score was being built and first run once it was fixed.
    "heldout5": held_out("heldout5"),
    # Written after that change and run once: a second unseen check.
    "heldout6": held_out("heldout6"),
    # Written by two more separate authors in a later session and run once before anything changed: heldout8
    # mixes a few near misses with questions from users who wandered in. Sets 5 to 8 declined in-scope questions
    # the pooled calibration rule had accepted, which led to the per-set rule in `calibrate`; so they are tuning
    # sets now.
    "heldout7": held_out("heldout7"),
    "heldout8": held_out("heldout8"),
    # Written while the per-set rule was built and first run once it was fixed: the honest checks that the
    # figures carry over to documents and questions the project has never seen.
    "heldout9": held_out("heldout9"),
    "heldout10": held_out("heldout10"),
    # Written after two scope subjects were added (fitted on the shipped set's near misses) and first run once
    # everything was fixed.
    "heldout11": held_out("heldout11"),
    "heldout12": held_out("heldout12"),
    # Written later in that session, after a last tried subject (industry statistics) was dropped; run once.
    "heldout13": held_out("heldout13"),
    "heldout14": held_out("heldout14"),
    # Written blind around questions that ask for figures, some stated in its documents and some not (industry
    # statistics, market sizes), while the figure check in `assistant.figures` was built; run once after it was.
    "heldout15": held_out("heldout15"),
    # Written blind while the figure check was built, and first run once everything was fixed: the last honest
    # check on unseen documents.
    "heldout16": held_out("heldout16"),
    "heldout17": held_out("heldout17"),
    # Written blind in a later session by three separate authors (joint ventures, cross-sector partnerships,
    # MSP and referral programmes), and first run once with nothing changed in between.
    "heldout18": held_out("heldout18"),
    "heldout19": held_out("heldout19"),
    "heldout20": held_out("heldout20"),
    # Their misses led to the product-pick check and more specialist words and phrases. Written blind meanwhile
    # (distribution, life-sciences partnerships, startups and consortia) and first run once that was fixed.
    "heldout21": held_out("heldout21"),
    "heldout22": held_out("heldout22"),
    "heldout23": held_out("heldout23"),
    # Their misses led to named laws, regulators and finance formulas as specialist terms. Written blind meanwhile
    # (systems integrators, retail and loyalty, energy and infrastructure) and first run once that was fixed.
    "heldout24": held_out("heldout24"),
    "heldout25": held_out("heldout25"),
    "heldout26": held_out("heldout26"),
    # Written blind in a later session by three separate authors (automotive supplier co-development, media and
    # telecom bundles, university research partnerships), and first run once with nothing changed in between.
    "heldout27": held_out("heldout27"),
    "heldout28": held_out("heldout28"),
    "heldout29": held_out("heldout29"),
    # Written blind while the scope probe (`assistant/scope_probe.py`) was built (healthcare partnerships,
    # bank-fintech partnerships, cross-sector coalitions), and first run once it was committed.
    "heldout30": held_out("heldout30"),
    "heldout31": held_out("heldout31"),
    "heldout32": held_out("heldout32"),
    # Written blind in a later session by four separate authors (franchise and brand licensing, transport and
    # logistics alliances, agriculture and food supply chains, cybersecurity and software OEM), first run once
    # with nothing changed since the previous session's last commit.
    "heldout33": held_out("heldout33"),
    "heldout34": held_out("heldout34"),
    "heldout35": held_out("heldout35"),
    "heldout36": held_out("heldout36"),
    # Written blind while the kernel scope probe was built (construction joint ventures, sports and event
    # sponsorship, IoT device ecosystems, bancassurance and distribution), and first run once it was committed.
    # heldout38's misses then led to reading only the sentences that ask for specialist words, to named guidance
    # and regulators as specialist terms, and to "which software should a club buy" as a product pick.
    "heldout37": held_out("heldout37"),
    "heldout38": held_out("heldout38"),
    "heldout39": held_out("heldout39"),
    "heldout40": held_out("heldout40"),
    # Written blind in a later session (hospital and medtech partnerships, telco and streaming bundles, energy
    # transition partnerships, retailer and supplier joint business planning), first run once with nothing
    # changed since the previous session's last commit.
    "heldout41": held_out("heldout41"),
    "heldout42": held_out("heldout42"),
    "heldout43": held_out("heldout43"),
    "heldout44": held_out("heldout44"),
    # Written blind while BM25's weight for long questions was chosen (higher education and industry, travel and
    # hospitality distribution, professional-services referral networks, global health and development), and
    # first run once it was committed.
    "heldout45": held_out("heldout45"),
    "heldout46": held_out("heldout46"),
    "heldout47": held_out("heldout47"),
    "heldout48": held_out("heldout48"),
    # Written blind while figure requests were made to need a figure of the form they ask for (aerospace and
    # defence teaming, media content licensing and syndication, agriculture equipment and agtech, loyalty
    # programme partnerships), and first run once it was committed.
    "heldout49": held_out("heldout49"),
    "heldout50": held_out("heldout50"),
    "heldout51": held_out("heldout51"),
    "heldout52": held_out("heldout52"),
    # Written blind while named software products were made specialist words (electric-vehicle charging networks,
    # cloud marketplace listings and co-selling, humanitarian logistics, museum and touring-exhibition
    # sponsorship), and first run once that was committed.
    "heldout53": held_out("heldout53"),
    "heldout54": held_out("heldout54"),
    "heldout55": held_out("heldout55"),
    "heldout56": held_out("heldout56"),
    # Written blind while a story read differently by the two retrievers was made to quote both their top
    # documents (chip design and foundry capacity, telecom network-sharing joint ventures, pet insurers and
    # veterinary clinic groups, game studios and publishers), and first run once that was committed.
    "heldout57": held_out("heldout57"),
    "heldout58": held_out("heldout58"),
    "heldout59": held_out("heldout59"),
    "heldout60": held_out("heldout60"),
    # Written blind in a later session (satellite operators and launch and ground partners, school districts and
    # education technology, embedded insurance, shopping centres and anchor tenants) while the pooled held-out
    # report was added, and first run once with no change to answering since the previous session's last commit.
    "heldout61": held_out("heldout61"),
    "heldout62": held_out("heldout62"),
    "heldout63": held_out("heldout63"),
    "heldout64": held_out("heldout64"),
}
# What `make eval` gates on: every set but the calibration one, which is for fitting (`--calibrate`) and is
# reported on request.
GATED = [name for name in SETS if name != "calibration"]
# The sets the evidence score and threshold were fitted on.
TUNING = [
    "shipped",
    "calibration",
    "heldout",
    "heldout2",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
]
# The gated sets on documents nothing was fitted on: `make eval` also reports and gates them pooled (see
# `report_unseen`).
UNSEEN = [name for name in GATED if name not in TUNING and SETS[name][0] != ROOT / "corpus"]
ANSWER_SHARE = 0.96  # the target is 0.95; one point of margin


def build(corpus: Path, data_dir: Path, embedder: Embedder) -> Assistant:
    settings = Settings(data_dir=data_dir)
    kb = KnowledgeBase(settings)
    report = Syncer(kb, embedder, settings).sync_paths([corpus], prune=True)
    if report.failed:
        raise SystemExit(f"ingest failed: {report.summary()}")
    assistant = Assistant(settings, embedder=embedder, kb=kb)
    assistant.warm_up()
    return assistant


@contextmanager
def built(corpus: Path, embedder: Embedder) -> Iterator[Assistant]:
    """An assistant over `corpus` in a temporary data directory, removed afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="ally-eval-"))
    try:
        yield build(corpus, data_dir, embedder)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def evidence_scores(
    assistant: Assistant, questions: QuestionSet, probe: ScopeProbe | None = None
) -> tuple[list[float], list[float]]:
    """Evidence scores of the in-scope and the out-of-scope questions, as `/v1/ask` computes them; with `probe`,
    the scope probe's lean is read from it instead of the shipped one."""

    def score(question: str) -> float:
        query = expand(standalone_query(question, ()))
        retrieved = assistant.retriever.retrieve(query)
        evidence = assistant.evidence(
            query, retrieved.passages, dense_scores=retrieved.dense_scores, query_vector=retrieved.query_vector
        )
        if probe is not None:
            evidence = replace(evidence, in_domain=probe.lean(retrieved.query_vector))
        # A veto (specialist gap, unsupported figure) declines whatever the score; count it as the lowest score.
        return evidence.score if not evidence.vetoed else float("-inf")

    return [score(q) for q in questions.answerable()], [score(q["question"]) for q in questions.out_of_scope]


def calibrate(scores: dict[str, tuple[list[float], list[float]]]) -> float:
    """Print the score distributions and return the threshold: the one that declines the most out-of-scope
    questions while every tuning set, on its own, still answers at least ANSWER_SHARE of its in-scope questions
    (the target holds per set, and a pooled share lets the large shipped set hide a small set's misses). It sits
    midway between the highest out-of-scope score it declines and the next in-scope score, leaving room on both
    sides for questions the calibration never saw."""
    inside = sorted(s for ins, _ in scores.values() for s in ins)
    outside = sorted(s for _, outs in scores.values() for s in outs)

    def ceiling(ins: list[float]) -> float:
        """The highest threshold at which this set still answers ANSWER_SHARE of `ins`."""
        ranked = sorted(ins)
        return ranked[len(ranked) - math.ceil(ANSWER_SHARE * len(ranked))]

    top = min(ceiling(ins) for ins, _ in scores.values())
    below = [s for s in outside if s < top]
    if below:
        best = below[-1]
        threshold = round((best + min(s for s in inside if s > best)) / 2, 3)
    else:
        best, threshold = float("nan"), round(top, 3)
    print(
        f"threshold: {threshold:.3f} (every set answers {ANSWER_SHARE:.0%} of its in-scope questions up to "
        f"{top:.3f}; it declines every out-of-scope score up to {best:.3f}; "
        f"pooled, it answers {sum(s >= threshold for s in inside) / len(inside):.1%} of {len(inside)} in-scope "
        f"questions and declines {sum(s < threshold for s in outside) / len(outside):.1%} of {len(outside)} others)"
    )
    for name, (ins, outs) in scores.items():
        print(
            f"  {name:12} in-scope min {min(ins):.3f} median {sorted(ins)[len(ins) // 2]:.3f} | "
            f"out-of-scope max {max(outs):.3f} | answers {sum(s >= threshold for s in ins) / len(ins):.1%}, "
            f"declines {sum(s < threshold for s in outs) / len(outs):.1%}"
        )
    return threshold


def table(summary: dict[str, float]) -> str:
    rows = ["| metric | value |", "|---|---|"]
    rows += [f"| {name} | {value} |" for name, value in summary.items()]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heldout", action="store_true", help="use the held-out documents and questions")
    parser.add_argument("--all", action="store_true", help="evaluate every gated set: " + ", ".join(GATED))
    parser.add_argument("--set", choices=list(SETS), help="evaluate one named set")
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="fit ALLY_ABSTAIN_THRESHOLD on the tuning sets (" + ", ".join(TUNING) + ") instead of evaluating",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    embedder = Embedder()
    if args.calibrate:
        # Imported here: the trainer reads this module's sets.
        from bench.train_scope import out_of_fold

        probes = out_of_fold(embedder)
        scores = {}
        with ExitStack() as stack:
            assistants: dict[Path, Assistant] = {}  # sets that share a corpus share its ingest
            for name in TUNING:
                corpus, question_file = SETS[name]
                if corpus not in assistants:
                    assistants[corpus] = stack.enter_context(built(corpus, embedder))
                scores[name] = evidence_scores(assistants[corpus], QuestionSet.load(question_file), probes[name])
        calibrate(scores)
        return 0
    names = GATED if args.all else [args.set or ("heldout" if args.heldout else "shipped")]
    command = " ".join(["python -m bench.evaluate", *(argv if argv is not None else sys.argv[1:])])
    results = {name: run_set(name, args, embedder, command) for name in names}
    pool_failed = args.all and report_unseen({name: results[name] for name in UNSEEN}, args, command)
    return 1 if pool_failed or any(failed for failed, _ in results.values()) else 0


def report_unseen(results: dict[str, tuple[bool, Scores]], args: argparse.Namespace, command: str) -> bool:
    """Print (and record) the sets never tuned on as one pool of questions, with a 95% interval for each share;
    return whether the pool misses a target.

    This is where "the same holds on documents the project has never seen" is gated: every share target must hold
    across the whole interval of the pool (`misses_targets`, read as "clears"), and every out-of-scope question
    must be declined. A set on its own has about two dozen in-scope questions, too few to tell 0.95 from 0.99:
    with fifty-odd sets, a few fall under a target by chance even when the share across them is far above it.
    Each set on its own still misses when its questions show it is below a target ("reaches")."""
    scores = pooled(set_scores for _, set_scores in results.values())
    summary = scores.summary()
    failed = misses_targets(scores, "clears")
    below = [name for name, (set_failed, _) in results.items() if set_failed]
    under = [name for name, (_, set_scores) in results.items() if misses_targets(set_scores) and name not in below]
    body = [
        f"{len(results)} held-out sets never tuned on, {summary['questions']} questions, pooled. The pool is gated: "
        "each share's whole 95% interval must clear its target, and every out-of-scope question be declined.",
        "",
        table(summary),
        "",
        "| share | questions | 95% interval (Wilson) |",
        "|---|---|---|",
        *(
            f"| {name} | {round(sum(values))} of {len(values)} | {low}–{high} |"
            for name, values in outcomes(scores).items()
            for low, high in [share_interval(values)]
        ),
        "",
        "Pooled targets: " + ("all met." if not failed else "missed: " + "; ".join(failed)),
        "Sets that miss a target on their own: " + (", ".join(below) if below else "none") + ".",
        "Sets under a target's figure on their own, within their interval: " + (", ".join(under) or "none") + ".",
    ]
    print("\n[held-out sets pooled]\n" + "\n".join(body))
    if not args.no_record:
        append("held-out sets pooled", command, "", body)
    for line in failed:
        print("TARGET MISSED (held-out sets pooled):", line)
    return bool(failed)


def reading(name: str) -> str:
    """How a set's shares are read against their targets (see `bench.evaluation.READINGS`): the shipped corpus's
    sets by their figures, a held-out set by whether its interval reaches the target."""
    return "figure" if SETS[name][0] == ROOT / "corpus" else "reaches"


def run_set(name: str, args: argparse.Namespace, embedder: Embedder, command: str) -> tuple[bool, Scores]:
    """Evaluate one set: whether a target was missed, and its scores."""
    corpus, question_file = SETS[name]
    questions = QuestionSet.load(question_file)
    with built(corpus, embedder) as assistant:
        with tqdm(total=total_questions(questions), desc=f"eval ({name})", unit="q", file=sys.stderr) as bar:
            scores = evaluate(assistant, questions, bar.update)
    summary = scores.summary()
    print(f"\n[{name}]")
    print(table(summary))
    for miss in scores.misses:
        print("miss:", miss)
    failed = misses_targets(scores, reading(name))
    under = [] if failed else misses_targets(scores)  # a held-out set's shortfalls within its interval
    verdict = "Targets: " + ("all met." if not failed else "missed: " + "; ".join(failed))
    if under:
        verdict = (
            "Targets: met as a held-out set is read (each share's 95% interval reaches its target); under the "
            "figure: " + "; ".join(under)
        )
    if not args.no_record:
        record(name, summary, verdict, command, question_file)
    for line in failed:
        print(f"TARGET MISSED ({name}):", line)
    if under:
        print(f"under a target's figure ({name}), within its interval:", "; ".join(under))
    return bool(failed), scores


def record(name: str, summary: dict[str, float], verdict: str, command: str, question_file: Path) -> None:
    digest = hashlib.sha256(question_file.read_bytes()).hexdigest()[:10]
    about = f" Questions: `{question_file.relative_to(ROOT)}` (sha256 {digest})."
    append(f"{name} set", command, about, [table(summary), "", verdict])


def append(heading: str, command: str, about: str, body: list[str]) -> None:
    """Add a block to bench/RESULTS.md: what was measured, with which command, on which machine, then `body`."""
    lines = [
        "",
        f"## Answer quality ({heading}) — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Command: `{command.strip()}` (via `make eval`).{about} Machine: {platform.machine()}, "
        f"Python {platform.python_version()}, extractive composer.",
        "",
        *body,
        "",
    ]
    with RESULTS.open("a") as handle:
        handle.write("\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
