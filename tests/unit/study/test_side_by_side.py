"""An image's analysis runs beside its runtime checks, and the render split still adds up to the wall time."""

from __future__ import annotations

import time

import pytest

from helpers.report import render_split as rs
from helpers.study.measured import side_by_side


SPANS: dict[str, tuple[float, float]] = {}


def timed(kind: str, category: str, seconds: float):
    """Work of ``seconds`` recorded under ``category``; when it ran goes into SPANS[kind]."""
    def work():
        begin = time.perf_counter()
        with rs.spent(category, kind):
            time.sleep(seconds)
        SPANS[kind] = (begin, time.perf_counter())
        return kind
    return work


def analyse(seconds):
    return timed("analysis", rs.ANALYSIS, seconds)


def check(seconds):
    return timed("check", rs.RUNTIME, seconds)


def totals(history, render_id):
    out = {}
    for category, _, seconds in rs.rows(history, render_id):
        out[category] = out.get(category, 0.0) + seconds
    return out


def test_both_run_at_once_and_the_overlap_counts_once_as_runtime_checks(render):
    history, render_id = render
    start = time.perf_counter()
    assert side_by_side(analyse(0.4), check(0.25)) == ("analysis", "check")
    wall = time.perf_counter() - start
    got = totals(history, render_id)
    (a0, a1), (c0, c1) = SPANS["analysis"], SPANS["check"]
    assert c0 < a1 and a0 < c1  # side by side, not one after the other
    assert got[rs.RUNTIME] >= 0.25
    assert got[rs.ANALYSIS] == pytest.approx((a1 - a0) - (min(a1, c1) - max(a0, c0)), abs=0.02)  # outside the checks
    assert got[rs.RUNTIME] + got[rs.ANALYSIS] == pytest.approx(wall, abs=0.05)


def test_a_check_longer_than_the_analysis_leaves_it_nothing(render):
    history, render_id = render
    side_by_side(analyse(0.1), check(0.3))
    got = totals(history, render_id)
    assert got[rs.ANALYSIS] == pytest.approx(0.0, abs=0.03) and got[rs.RUNTIME] >= 0.3


def test_without_runtime_checks_the_analysis_runs_alone(render):
    history, render_id = render
    assert side_by_side(analyse(0.05), None) == ("analysis", None)
    assert list(totals(history, render_id)) == [rs.ANALYSIS]


def test_a_failed_check_still_waits_for_the_analysis(render):
    finished = []

    def failing():
        raise RuntimeError("container gone")

    def slow():
        time.sleep(0.1)
        finished.append(True)

    with pytest.raises(RuntimeError, match="container gone"):
        side_by_side(slow, failing)
    assert finished == [True]  # nothing of this image left running behind the error
