"""The render split's bookkeeping: nested blocks count once, the rest is a measured difference."""

from __future__ import annotations

import os
import threading
import time

import pytest

from helpers.report import render_split as rs


def test_nothing_is_recorded_outside_a_render(tmp_path, monkeypatch):
    monkeypatch.delenv(rs.ENV_ID, raising=False)
    monkeypatch.delenv(rs.ENV_HISTORY, raising=False)
    with rs.spent(rs.BUILDS):
        pass
    assert rs.active() is None
    assert not list(tmp_path.iterdir())


def test_a_nested_block_is_subtracted_from_its_parent(render):
    history, render_id = render
    with rs.spent(rs.ANALYSIS, "security"):
        time.sleep(0.05)
        with rs.spent(rs.RUNTIME, "uid"):
            time.sleep(0.2)
    got = {c: s for c, _, s in rs.rows(history, render_id)}
    assert 0.2 <= got[rs.RUNTIME] < 0.35
    assert 0.05 <= got[rs.ANALYSIS] < 0.15  # not 0.25: the runtime check inside counts once


def test_a_block_in_another_thread_is_not_nested_in_this_one(render):
    history, render_id = render

    def build():
        with rs.spent(rs.BUILDS):
            time.sleep(0.1)

    with rs.spent(rs.ANALYSIS):
        with rs.spent(rs.SETUP):
            time.sleep(0.05)
        worker = threading.Thread(target=build)
        worker.start()
        worker.join()
    got = {c: s for c, _, s in rs.rows(history, render_id)}
    assert got[rs.BUILDS] >= 0.1
    assert 0.1 <= got[rs.ANALYSIS] < 0.2  # the waiting is this thread's own; only the setup block is taken out


def test_renders_are_kept_apart(render, tmp_path):
    history, first = render
    rs.record(rs.BUILDS, 3.0)
    second = rs.start(history)
    rs.record(rs.BUILDS, 5.0)
    assert [s for _, _, s in rs.rows(history, first)] == [3.0]
    assert [s for _, _, s in rs.rows(history, second)] == [5.0]


def test_the_split_adds_up_to_the_wall_time():
    records = [(rs.NOTEBOOK, "00-baseline", 100.0), (rs.NOTEBOOK, "01-phase1", 200.0),
               (rs.BUILDS, "a", 150.0), (rs.BUILDS, "b", 50.0), (rs.RUNTIME, "a", 30.0),
               (rs.ANALYSIS, "image", 25.0), (rs.SETUP, "original", 5.0), (rs.RENDERING, "00", 8.0)]
    parts = rs.split(records, total=320.0)
    assert parts[rs.BUILDS] == 200.0 and parts[rs.RUNTIME] == 30.0 and parts[rs.ANALYSIS] == 25.0
    assert parts[rs.REST] == 300.0 - 260.0  # kernels and cells: notebook wall time not in any block
    assert parts["other"] == 320.0 - 300.0 - 8.0
    assert sum(parts.values()) == pytest.approx(320.0)
    seconds, share = rs.overhead(parts)
    assert seconds == pytest.approx(90.0) and share == pytest.approx(90 / 320)
    rows = rs.table(parts)
    assert rows[-2]["category"].startswith("overhead") and rows[-2]["share"] == "28%"
    assert rows[-1]["seconds"] == 320.0


def test_an_empty_render_has_no_overhead_share():
    parts = rs.split([], total=0.0)
    assert rs.overhead(parts) == (0.0, 0.0)


def test_a_timed_wait_is_taken_out_of_its_enclosing_block(render):
    history, render_id = render
    began = time.perf_counter()
    with rs.spent(rs.SETUP, "phase1"):
        time.sleep(0.1)
        rs.took(rs.WAIT, 0.08, "lock")  # the caller measured a wait inside this block
    elapsed = time.perf_counter() - began
    got = {c: s for c, _, s in rs.rows(history, render_id)}
    assert got[rs.WAIT] == 0.08
    assert got[rs.SETUP] <= elapsed - 0.08 + 1e-6  # the block's time less the wait, however slow the machine


def test_the_index_ends_with_the_measured_split(tmp_path):
    from helpers.report import index_page

    parts = rs.split([(rs.NOTEBOOK, "00", 50.0), (rs.BUILDS, "a", 30.0), (rs.RENDERING, "00", 2.0)], total=55.0)
    page = index_page.write_index(tmp_path, "p", "Dockerfile", [], None, split=rs.table(parts)).read_text()
    block = page[page.index("Where this render's time went"):]
    assert "builds" in block and "30.0" in block and "overhead (all but builds and runtime checks)" in block
    assert "45%" in block  # 25 s of 55 s outside builds and runtime checks
    assert "Where this render" not in index_page.write_index(tmp_path, "p", "Dockerfile", [], None).read_text()


def test_fresh_reuses_only_what_this_render_made(render, tmp_path):
    from helpers.history import analysis_cache, store

    assert rs.this_render(store.now())
    assert not rs.this_render("2020-01-01T00:00:00+00:00") and not rs.this_render(None)
    history, _ = render
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    first = analysis_cache.cached(history, "image", "sha256:x", compute, fresh=True)
    again = analysis_cache.cached(history, "image", "sha256:x", compute, fresh=True)
    assert first == again == {"n": 1} and len(calls) == 1  # the second notebook of the render reuses it
    rs.stop()
    rs.start(history)  # the next render with --fresh computes again
    os.environ[rs.ENV_STARTED] = "2999-01-01T00:00:00+00:00"  # it started after that row (stamps are in seconds)
    assert analysis_cache.cached(history, "image", "sha256:x", compute, fresh=True) == {"n": 2}
