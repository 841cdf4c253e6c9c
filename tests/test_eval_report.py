"""How `make eval` reads its sets against the targets: the shipped corpus's sets by their figures, a held-out set
by whether its interval reaches a target, and the held-out sets pooled by whether their interval clears it."""

from __future__ import annotations

import argparse

import pytest

from bench.evaluate import reading, report_unseen
from bench.evaluation import Scores, misses_targets, share_interval


def scores(answered: int, declined_in_scope: int, hits: int, misses: int, out_of_scope_answered: int = 0) -> Scores:
    return Scores(
        hits3=[1.0] * hits + [0.0] * misses,
        answered=[1.0] * answered + [0.0] * declined_in_scope,
        declined=[1.0] * (12 - out_of_scope_answered) + [0.0] * out_of_scope_answered,
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
    # 50 of 52 answered is 0.96, but 52 questions cannot show the share is above 0.95: the pool misses
    assert report_unseen(results, argparse.Namespace(no_record=True), "python -m bench.evaluate --all")
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


def test_the_shipped_corpus_sets_are_read_by_their_figures_and_held_out_sets_by_their_interval() -> None:
    assert reading("shipped") == reading("stories") == reading("stories2") == "figure"
    assert reading("heldout") == reading("heldout40") == "reaches"
    two_declines = scores(answered=22, declined_in_scope=2, hits=22, misses=2)
    # 22 of 24 is under 0.95, but two dozen questions cannot show the share is: its interval reaches the target
    assert misses_targets(two_declines, "figure") == ["answered = 0.917 (target >= 0.95)"]
    assert misses_targets(two_declines, "reaches") == []
    # a set that declines a third of its questions shows the share is under the target, interval and all
    missed = misses_targets(scores(answered=16, declined_in_scope=8, hits=16, misses=8), "reaches")
    assert [line.split(" =")[0] for line in missed] == ["hit@3", "answered"]


def test_an_answered_out_of_scope_question_misses_however_the_set_is_read() -> None:
    one_answered = scores(answered=24, declined_in_scope=0, hits=24, misses=0, out_of_scope_answered=1)
    for how in ("figure", "reaches", "clears"):
        assert "declined = 0.917 (target >= 1.0)" in misses_targets(one_answered, how)


def test_the_pool_fails_make_eval_when_its_interval_does_not_clear_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    # 0.96 answered on 150 questions: above 0.95, but not surely so
    unsure = {f"heldout-{i}": (False, scores(answered=24, declined_in_scope=1, hits=25, misses=0)) for i in range(6)}
    assert report_unseen(unsure, argparse.Namespace(no_record=True), "python -m bench.evaluate --all")
    out = capsys.readouterr().out
    assert "TARGET MISSED (held-out sets pooled): answered = 0.96" in out
    # the same share on 3,000 questions clears it
    sure = {f"heldout-{i}": (False, scores(answered=24, declined_in_scope=1, hits=25, misses=0)) for i in range(120)}
    assert not report_unseen(sure, argparse.Namespace(no_record=True), "python -m bench.evaluate --all")
    assert "Pooled targets: all met." in capsys.readouterr().out
    with pytest.raises(ValueError, match="unknown reading"):
        misses_targets(scores(answered=1, declined_in_scope=0, hits=1, misses=0), "roughly")
