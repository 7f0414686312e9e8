"""The fleet index: ranked by measured savings, totals per engine for times, escaped, offline."""

import json

from helpers.fleet.index_page import rank_key, time_totals, write_index


def project(name, saved_pull, engine="a", before=2.0, after=0.5, categories=None):
    return {"name": name, "slug": name.lower().replace(" ", "-")[:20], "dockerfile_shown": f"{name}/Dockerfile",
            "engine": {"name": engine, "engine_version": "20.10", "cpus": 2, "engine_id": engine},
            "attempts": [{"engine": engine, "outcome": "ok"}], "outcome": "ok", "message": "",
            "report": "x/index.html",
            "numbers": None if saved_pull is None else {
                "optimized": "phase3", "saved_bytes": saved_pull * 3, "saved_compressed_bytes": saved_pull,
                "fewer_high_critical": 1, "variants": {"original": {"code_rebuild_s": before, "high_critical": 3},
                                                       "phase3": {"code_rebuild_s": after, "high_critical": 2}}},
            "lint": {"count": 2, "by_category": categories or {"security": 2},
                     "by_severity": {"error": 0, "warning": 2, "info": 0, "style": 0}, "error": ""}}


def data(projects, mixed=True):
    return {"fleet_file": "/x/fleet.yaml", "lint_only": False, "generated_at": "now", "wall_seconds": 12.0,
            "engines": [{"name": "a", "host": "unix:///a", "machine": "this machine", "engine_version": "20.10",
                         "cpus": 2, "memory_bytes": 4e9}], "dead_engines": {}, "mixed_engines": mixed,
            "projects": projects}


def test_ranked_by_saving_per_pull_unmeasured_last():
    ranked = sorted([project("small", 1e6), project("none", None), project("big", 9e7)], key=rank_key)
    assert [p["name"] for p in ranked] == ["big", "small", "none"]


def test_times_are_totalled_per_engine_only():
    rows = {r["engine"]: r for r in time_totals([project("p", 1, "a"), project("q", 1, "a"), project("r", 1, "b", 9, 1)])}
    assert rows["a"]["projects"] == 2 and rows["a"]["before_s"] == 4.0 and rows["b"]["after_s"] == 1.0


def test_page_escapes_project_text_and_needs_no_network(tmp_path):
    evil = project("<script>alert(1)</script>", 5e6, categories={"security": 1, "layer-caching": 3})
    page = write_index(tmp_path, data([evil, project("ok", 1e6)]))
    html = page.read_text()
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "http://" not in html and "https://" not in html
    assert "compare only within one engine" in html
    assert "Current issue 2: poor layer caching" in html  # findings by category, with the seed's names
    assert json.loads((tmp_path / "fleet.json").read_text())["projects"][0]["name"] == evil["name"]


def test_lint_only_page_says_nothing_was_measured(tmp_path):
    d = data([project("p", None)], mixed=False)
    d["lint_only"] = True
    html = write_index(tmp_path, d).read_text()
    assert "no engine was used" in html and "ranked by measured savings" not in html
