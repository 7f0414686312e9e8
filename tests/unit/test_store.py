"""The SQLite history: versioned schema, per-scenario commits, reuse by cache key, DataFrames."""

import sqlite3

import pytest

from helpers import store


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
        assert h.find_reusable("k")["scenario_id"] == sid
        assert h.find_reusable("k2") is None  # failures are never reused
        run2 = h.start_run(store.RunInfo())
        v2 = h.add_variant(run2, "a")
        reuse = h.add_scenario(v2, "noop", cache_key="k", status="ok", reused_from=sid, repeats=2, median_s=1.0)
        assert h.find_reusable("k")["scenario_id"] == sid
        assert list(h.repeats(reuse)["seconds"]) == [0.5, 1.5]
        assert list(h.steps(reuse)["instruction"]) == ["RUN x"]
        frame = h.scenarios()
        assert list(frame["variant"]) == ["a"] and frame.loc[0, "reused_from"] == sid
