"""Answer-quality evaluation over a question set, through the same `Assistant.ask` path as /v1/ask.

Used by `make eval` (bench/evaluate.py) and by the regression test that runs a slice of the set.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from assistant.followup import Turn
from assistant.passages import Answer
from assistant.service import Assistant

TARGETS = {
    "hit@3": (">=", 0.90),
    "answered": (">=", 0.95),
    "declined": (">=", 1.0),
    "p50_ms": ("<=", 60.0),
    "p95_ms": ("<=", 150.0),
}


@dataclass
class QuestionSet:
    in_scope: list[dict]
    out_of_scope: list[dict]
    conversations: list[dict]

    @classmethod
    def load(cls, path: Path) -> QuestionSet:
        data = yaml.safe_load(path.read_text())
        return cls(data.get("in_scope", []), data.get("out_of_scope", []), data.get("conversations") or [])

    def answerable(self) -> list[str]:
        """The questions that stand alone and should be answered: the in-scope ones and each conversation's
        opening question."""
        return [q["question"] for q in self.in_scope] + [c["turns"][0]["question"] for c in self.conversations]

    def expected_ids(self) -> set[str]:
        ids = {d for q in self.in_scope for d in q["expected"]}
        return ids | {d for c in self.conversations for t in c["turns"] for d in t["expected"]}


@dataclass
class Scores:
    hits1: list[float] = field(default_factory=list)
    hits3: list[float] = field(default_factory=list)
    rr: list[float] = field(default_factory=list)
    precision: list[float] = field(default_factory=list)
    keywords: list[float] = field(default_factory=list)
    answered: list[float] = field(default_factory=list)
    declined: list[float] = field(default_factory=list)
    followup_hits3: list[float] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, float]:
        def mean(values: list[float]) -> float:
            return round(statistics.fmean(values), 3) if values else float("nan")

        ordered = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else float("nan")

        return {
            "hit@1": mean(self.hits1),
            "hit@3": mean(self.hits3),
            "mrr": mean(self.rr),
            "citation_precision": mean(self.precision),
            "keyword_recall": mean(self.keywords),
            "answered": mean(self.answered),
            "declined": mean(self.declined),
            "followup_hit@3": mean(self.followup_hits3),
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "questions": len(self.answered) + len(self.declined) + len(self.followup_hits3),
        }


def pooled(parts: Iterable[Scores]) -> Scores:
    """The scores of several sets as one set: every question counts once, whichever set it came from."""
    total = Scores()
    for part in parts:
        for f in fields(Scores):
            getattr(total, f.name).extend(getattr(part, f.name))
    return total


def share_interval(outcomes: Sequence[float], confidence: float = 0.95, digits: int | None = 3) -> tuple[float, float]:
    """Wilson interval of a share of yes/no outcomes (answered, declined, hit@3): where the share on questions of
    the same kind is likely to lie, given how many were asked. Rounded to `digits` for reports; `None` to judge."""
    from scipy.stats import binomtest

    if not outcomes:
        return float("nan"), float("nan")
    found = binomtest(round(sum(outcomes)), len(outcomes)).proportion_ci(confidence, method="wilson")
    if digits is None:
        return float(found.low), float(found.high)
    return round(found.low, digits), round(found.high, digits)


# The targets that are shares of questions (how many were answered, how many found an expected document). How a
# share is read against its target depends on how many questions stand behind it (see `misses_targets`). The
# others are read as they are: an answered out-of-scope question misses "every one declined" however many were
# asked, and latency is a property of the code, not a sample.
SHARE_TARGETS = ("hit@3", "answered")
# How `misses_targets` reads a share against its target:
# - "figure": the share itself. The shipped corpus's own sets (`questions.yaml`, the stories) are the evaluation
#   set the targets are stated for.
# - "reaches": the target lies within or below the share's 95% interval. A small held-out set misses only when
#   its questions show the share is below the target, not when one more decline on two dozen questions drops it
#   under: 22 of 24 answered (0.917) reaches 0.95; 15 of 24 does not.
# - "clears": the whole 95% interval lies at or above the target. The held-out sets pooled must show the target
#   holds on documents the project never tuned on.
READINGS = ("figure", "reaches", "clears")


def outcomes(scores: Scores) -> dict[str, list[float]]:
    """The yes/no outcome of each question behind each share."""
    return {
        "hit@3": scores.hits3,
        "answered": scores.answered,
        "declined": scores.declined,
        "followup_hit@3": scores.followup_hits3,
    }


def misses_targets(scores: Scores, reading: str = "figure") -> list[str]:
    """The targets `scores` miss, each as a line saying by how much; shares read as `reading` says (READINGS)."""
    if reading not in READINGS:
        raise ValueError(f"unknown reading {reading!r}; use one of {', '.join(READINGS)}")
    summary = scores.summary()
    failed = []
    for name, (op, bound) in TARGETS.items():
        value = summary[name]
        if reading != "figure" and name in SHARE_TARGETS:
            low, high = share_interval(outcomes(scores)[name], digits=None)
            if (high if reading == "reaches" else low) < bound:
                low, high = round(low, 3), round(high, 3)
                failed.append(f"{name} = {value}, 95% interval {low}–{high} (target {op} {bound}, read as {reading})")
            continue
        ok = value >= bound if op == ">=" else value <= bound
        if not ok:
            failed.append(f"{name} = {value} (target {op} {bound})")
    return failed


def _timed(assistant: Assistant, question: str, history: Sequence[Turn], scores: Scores) -> Answer:
    started = time.perf_counter()
    answer = assistant.ask(question, history)
    scores.latencies_ms.append(1000 * (time.perf_counter() - started))
    return answer


def _score_answer(answer: Answer, item: dict, scores: Scores, hits3: list[float]) -> None:
    expected = set(item["expected"])
    cited = [c.passage.doc_id for c in answer.citations]
    ranked = list(dict.fromkeys(cited))
    first = next((i for i, d in enumerate(ranked, start=1) if d in expected), None)
    scores.hits1.append(float(first == 1))
    hits3.append(float(first is not None and first <= 3))
    scores.rr.append(1.0 / first if first else 0.0)
    scores.precision.append(sum(d in expected for d in cited) / len(cited) if cited else 0.0)
    text = answer.answer.lower()
    keywords = item.get("keywords") or []
    scores.keywords.append(sum(k.lower() in text for k in keywords) / len(keywords) if keywords else 1.0)
    if first is None or first > 3:
        scores.misses.append(f"{item.get('id', '?')}: {item['question']!r} -> {ranked[:3]} (want {sorted(expected)})")


def evaluate(assistant: Assistant, questions: QuestionSet, progress: Callable[[], None] | None = None) -> Scores:
    scores = Scores()
    tick = progress or (lambda: None)
    for item in questions.in_scope:
        answer = _timed(assistant, item["question"], (), scores)
        scores.answered.append(float(not answer.abstained))
        _score_answer(answer, item, scores, scores.hits3)
        tick()
    for item in questions.out_of_scope:
        answer = _timed(assistant, item["question"], (), scores)
        scores.declined.append(float(answer.abstained))
        if not answer.abstained:
            scores.misses.append(f"{item.get('id', '?')}: answered out-of-scope {item['question']!r}")
        tick()
    for conversation in questions.conversations:
        history: list[Turn] = []
        for position, turn in enumerate(conversation["turns"]):
            answer = _timed(assistant, turn["question"], history, scores)
            if position:
                before = len(scores.hits1)
                _score_answer(answer, turn | {"id": conversation["id"]}, scores, scores.followup_hits3)
                del scores.hits1[before:], scores.rr[before:], scores.precision[before:], scores.keywords[before:]
            history += [Turn("user", turn["question"]), Turn("assistant", answer.answer)]
            tick()
    return scores


def total_questions(questions: QuestionSet) -> int:
    return len(questions.in_scope) + len(questions.out_of_scope) + sum(len(c["turns"]) for c in questions.conversations)
