"""The SQLite history: versioned schema, per-scenario commits, reuse by cache key, DataFrames."""

import re
import sqlite3

import pytest

from helpers.history import store


def test_a_new_file_gets_the_current_schema_version(tmp_path):
    path = tmp_path / "h.sqlite"
    store.History(path).close()
    assert store.schema_version(path) == store.SCHEMA_VERSION


def test_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER)")
        conn.execute("INSERT INTO schema_version VALUES (?)", (store.SCHEMA_VERSION + 1,))
    with pytest.raises(store.SchemaTooNew) as err:
        store.History(path)
    assert f"schema version {store.SCHEMA_VERSION + 1}" in err.value.message
    assert store.schema_version(path) == store.SCHEMA_VERSION + 1


def test_reuse_finds_the_original_measurement_and_frames_read_through_it(tmp_path):
    with store.History(tmp_path / "h.sqlite") as h:
        run = h.start_run(store.RunInfo(engine_version="20.10", cpus=2))
        v = h.add_variant(run, "a", base_images={"x": "sha256:1"})
        sid = h.add_scenario(v, "noop", cache_key="k", status="ok", repeats=2, median_s=1.0, min_s=0.5,
                             max_s=1.5, repeat_rows=[{"repeat": 1, "seconds": 0.5}, {"repeat": 2, "seconds": 1.5}],
                             steps=[{"repeat": 1, "vertex": 4, "kind": "step", "stage": None, "index": 2,
                                     "total": 2, "keyword": "RUN", "instruction": "RUN x", "line": 2,
                                     "seconds": 0.4, "cached": False, "ran": True, "error": None}])
        h.add_scenario(v, "cold", cache_key="k2", status="failed", error="boom")
        h.update_variant(v, status="ok", image_id="sha256:img")  # finished, its image recorded
        assert h.find_reusable("k")["scenario_id"] == sid
        assert h.find_reusable("k2") is None  # failures are never reused
        run2 = h.start_run(store.RunInfo())
        v2 = h.add_variant(run2, "a")
        reuse = h.add_scenario(v2, "noop", cache_key="k", status="ok", reused_from=sid, repeats=2, median_s=1.0)
        assert h.find_reusable("k")["scenario_id"] == sid
        assert list(h.repeats(reuse)["seconds"]) == [0.5, 1.5]
        assert list(h.steps(reuse)["instruction"]) == ["RUN x"]
        frame = h.scenarios(run2)
        assert list(frame["variant"]) == ["a"] and frame.loc[0, "reused_from"] == sid


def finished_variant(h, render_id, cache_key="k", image_id="sha256:img", status="ok"):
    """A run of one variant whose cold scenario was measured, finished (image recorded) or not."""
    run = h.start_run(store.RunInfo(render_id=render_id))
    v = h.add_variant(run, "phase1")
    sid = h.add_scenario(v, "cold", cache_key=cache_key, status="ok", repeats=1, median_s=2.0, min_s=2.0, max_s=2.0)
    if status is not None:
        h.update_variant(v, status=status, image_id=image_id)
    return run, v, sid


def test_an_interrupted_variant_is_measured_again_not_reused(tmp_path):
    with store.History(tmp_path / "h.sqlite") as h:
        finished_variant(h, "r1", status=None)  # killed: the variant stayed "running", no image
        assert h.find_reusable("k") is None
        finished_variant(h, "r2", status="failed", image_id=None)  # interrupted: marked failed
        assert h.find_reusable("k") is None
        _, _, sid = finished_variant(h, "r3")
        assert h.find_reusable("k")["scenario_id"] == sid


def test_reuse_prefers_the_renders_own_measurement(tmp_path):
    with store.History(tmp_path / "h.sqlite") as h:
        _, _, mine = finished_variant(h, "mine", image_id="sha256:a")
        _, _, theirs = finished_variant(h, "theirs", image_id="sha256:b")  # newer, from a concurrent render
        assert h.find_reusable("k", "mine")["scenario_id"] == mine
        assert h.find_reusable("k", "other")["scenario_id"] == theirs  # no own one: the newest
        assert h.find_reusable("k")["scenario_id"] == theirs  # outside a render (dockopt measure): the newest
        assert list(h.render_runs("mine")["render_id"]) == ["mine"]


def test_a_variant_is_read_by_its_id_whatever_was_written_since(tmp_path):
    with store.History(tmp_path / "h.sqlite") as h:
        _, v, _ = finished_variant(h, "a", image_id="sha256:a")
        finished_variant(h, "b", image_id="sha256:b")  # another render's newer run
        assert h.variant(v)["image_id"] == "sha256:a"
        assert h.variant(10_000) is None


def test_the_file_is_shared_in_wal_mode(tmp_path):
    path = tmp_path / "h.sqlite"
    store.History(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_version_2_file_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(store.SCHEMA + store.SCHEMA_V2)
        conn.execute("INSERT INTO schema_version VALUES (2)")
        conn.execute("INSERT INTO runs (started_at, run_label) VALUES ('2026-01-01', 'old')")
    with store.History(path) as h:
        runs = h.runs()
        assert list(runs["run_label"]) == ["old"] and runs["render_id"].isna().all()
    assert store.schema_version(path) == store.SCHEMA_VERSION


def _writer(path: str, render_id: str, count: int) -> None:
    with store.History(path) as h:
        for _ in range(count):
            finished_variant(h, render_id)
            h.conn.execute("BEGIN IMMEDIATE")  # hold the write lock a moment, as a slow writer would
            import time

            time.sleep(0.01)
            h.conn.commit()


def test_two_processes_write_one_new_file_at_once(tmp_path):
    """Both create, migrate and write the same file; the loser of each race waits, none fails."""
    import multiprocessing

    path = str(tmp_path / "h.sqlite")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, name, 30)) for name in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    with store.History(path) as h:
        assert len(h.render_runs("a")) == 30 and len(h.render_runs("b")) == 30


def test_new_run_ids_are_unique_and_sortable():
    ids = [store.new_run_id() for _ in range(50)]
    assert len(set(ids)) == 50 and all(re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", i) for i in ids)


def test_the_named_queries_callers_used_to_write_as_sql(tmp_path):
    """What scenarios, analysis_cache and the summary page ask, as store methods."""
    with store.History(tmp_path / "h.sqlite") as h:
        run, v, sid = finished_variant(h, "r1")
        h.update_variant(v, context="/ctx")
        code = h.add_scenario(v, "code", status="ok", median_s=3.0)
        h.add_scenario(v, "code", status="failed")
        run2 = h.start_run(store.RunInfo())
        v2 = h.add_variant(run2, "phase1", context="/ctx")
        h.add_scenario(v2, "code", status="ok", median_s=3.0, reused_from=code)  # a reuse is not a new point
        h.add_scenario(v2, "cold", status="ok", reused_from=sid)
        other = h.add_variant(run2, "phase1", context="/elsewhere")
        h.add_scenario(other, "code", status="ok", median_s=9.0)
        assert h.scenario_name(code) == "code"
        assert h.reused_image(v2) == "sha256:img" and h.reused_image(other) is None
        rebuilds = h.code_rebuilds("/ctx")
        assert list(rebuilds.columns) == ["started", "variant", "value"] and list(rebuilds["value"]) == [3.0]
        assert h.analysis_created_at("image:x") is None
        h.put_analysis("image:x", "image", "sha256:img", {"a": 1}, 0.5)
        assert h.analysis_created_at("image:x") == h.conn.execute("SELECT created_at FROM analyses").fetchone()[0]


def test_render_time_rows_are_kept_per_render(tmp_path):
    path = tmp_path / "h.sqlite"
    store.record_render_time(path, "r1", "builds", "phase1", 2.5, at=1.0)
    store.record_render_time(path, "r2", "analysis", "", 1.0, at=3.0)
    store.record_render_time(path, "r1", "setup", "copy", 0.5, at=2.0)
    assert store.render_time(path, "r1") == [("builds", "phase1", 2.5), ("setup", "copy", 0.5)]
    assert store.latest_render_id(path) == "r2"
    with store.History(path) as h:  # the table lives beside the measurements without disturbing them
        assert h.latest_run_id() is None


def test_a_read_only_history_reads_another_reports_numbers_and_never_writes(tmp_path):
    path = tmp_path / "h.sqlite"
    with store.History(path) as h:
        run, v, sid = finished_variant(h, "r1")
        h.update_variant(v, image_tag="dockopt-report/app:phase1")
        h.put_analysis("image:sha256:img:old", "image", "sha256:img", {"size": 1}, 0.1)
        h.conn.execute("INSERT INTO analyses VALUES ('image:sha256:img:bad', 'image', 'sha256:img', "
                       "'9999-01-01T00:00:00+00:00', 0, x'00')")  # newest, but not a pickle of ours
        h.conn.commit()
        run2 = h.start_run(store.RunInfo(engine_version="28.0", cpus=8))
        v2 = h.add_variant(run2, "phase1", image_tag="dockopt-report/app:phase1")
        h.add_scenario(v2, "cold", status="ok", median_s=2.0, reused_from=sid)
        h.update_variant(v2, status="ok", image_id="sha256:img")
    before = path.stat().st_mtime_ns
    with store.ReadOnlyHistory(path) as ro:
        assert ro.newest_built_variant("dockopt-report/app:phase1") == (v2, "sha256:img", "28.0", 8)
        assert ro.newest_built_variant("dockopt-report/app:phase2") is None
        median, reused_from, engine, _ = ro.scenario_timing(v2, "cold")
        assert (median, reused_from, engine) == (2.0, sid, None)  # the measuring run recorded no engine
        assert ro.scenario_timing(v2, "code") is None
        assert ro.newest_analysis("image", "sha256:img") is None  # unreadable payload: not ours
        assert ro.newest_analysis("security", "sha256:img") is None
        with pytest.raises(sqlite3.OperationalError):
            ro.conn.execute("DELETE FROM runs")
    assert path.stat().st_mtime_ns == before


def test_a_variant_is_the_image_of_its_reused_cold_scenario(tmp_path):
    """A deps scenario measured later (its own priming build, another image) does not make the
    variant that image: the cold one comes first, whichever was measured last."""
    with store.History(tmp_path / "h.sqlite") as h:
        _, _, cold = finished_variant(h, "r1", image_id="sha256:cold")
        _, primed, _ = finished_variant(h, "r2", cache_key="other", image_id="sha256:primed")
        deps = h.add_scenario(primed, "deps", status="ok", median_s=1.0)
        later = h.add_variant(h.start_run(store.RunInfo()), "phase1")
        h.add_scenario(later, "cold", status="ok", reused_from=cold)
        h.add_scenario(later, "deps", status="ok", reused_from=deps)
        assert h.reused_image(later) == "sha256:cold"
        assert h.reused_image(later, "deps") == "sha256:primed"
        assert h.reused_image(later, "code") is None
