"""An image's analysis runs beside its runtime checks, and the render split still adds up to the wall time."""

from __future__ import annotations

import time

import pytest

from helpers.report import render_split as rs
from helpers.study.measured import side_by_side


@pytest.fixture
def render(tmp_path, monkeypatch):
    monkeypatch.delenv(rs.ENV_ID, raising=False)
    monkeypatch.delenv(rs.ENV_HISTORY, raising=False)
    history = tmp_path / "history.sqlite"
    render_id = rs.start(history)
    yield history, render_id
    rs.stop()


SPANS: dict[str, tuple[float, float]] = {}


def analyse(seconds):
    def work():
        begin = time.perf_counter()
        with rs.spent(rs.ANALYSIS, "image"):
            time.sleep(seconds)
        SPANS["analysis"] = (begin, time.perf_counter())
        return "analysed"
    return work


def check(seconds):
    def work():
        begin = time.perf_counter()
        with rs.spent(rs.RUNTIME, "container"):
            time.sleep(seconds)
        SPANS["check"] = (begin, time.perf_counter())
        return "checked"
    return work


def totals(history, render_id):
    out = {}
    for category, _, seconds in rs.rows(history, render_id):
        out[category] = out.get(category, 0.0) + seconds
    return out


def test_both_run_at_once_and_the_overlap_counts_once_as_runtime_checks(render):
    history, render_id = render
    start = time.perf_counter()
    assert side_by_side(analyse(0.4), check(0.25)) == ("analysed", "checked")
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
    assert side_by_side(analyse(0.05), None) == ("analysed", None)
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
