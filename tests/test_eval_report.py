"""`make eval` reports the held-out sets pooled, with an interval, besides gating each set on its own."""

from __future__ import annotations

import argparse

import pytest

from bench.evaluate import report_unseen
from bench.evaluation import Scores, share_interval


def scores(answered: int, declined_in_scope: int, hits: int, misses: int) -> Scores:
    return Scores(
        hits3=[1.0] * hits + [0.0] * misses,
        answered=[1.0] * answered + [0.0] * declined_in_scope,
        declined=[1.0] * 12,
        followup_hits3=[1.0, 1.0],
        latencies_ms=[10.0] * (answered + declined_in_scope + 14),
    )


def test_the_pool_counts_every_question_once_and_names_the_sets_below_target(
    capsys: pytest.CaptureFixture[str],
) -> None:
    results = {
        "heldout-a": (False, scores(answered=26, declined_in_scope=0, hits=25, misses=1)),
        "heldout-b": (True, scores(answered=24, declined_in_scope=2, hits=24, misses=2)),
    }
    report_unseen(results, argparse.Namespace(no_record=True), "python -m bench.evaluate --all")
    out = capsys.readouterr().out
    assert "2 held-out sets never tuned on, 80 questions" in out
    assert "| answered | 50 of 52 |" in out
    assert "| hit@3 | 49 of 52 |" in out
    assert "| declined | 24 of 24 |" in out
    assert "Sets that miss a target on their own: heldout-b." in out


def test_the_interval_brackets_the_share_and_narrows_with_more_questions() -> None:
    small_low, small_high = share_interval([1.0] * 24 + [0.0] * 2)
    assert small_low < 24 / 26 < small_high
    large_low, large_high = share_interval([1.0] * 1200 + [0.0] * 100)
    assert large_low < 1200 / 1300 < large_high
    assert large_high - large_low < (small_high - small_low) / 4
    # all answered still leaves room below: 26 questions cannot show the share is 1
    low, high = share_interval([1.0] * 26)
    assert high == 1.0 and 0.8 < low < 0.9
