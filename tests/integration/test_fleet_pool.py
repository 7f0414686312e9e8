"""``dockopt fleet`` on a real pool: the main engine and a second dockerd started on this machine.

Three tiny projects (dockopt's Python base, nothing installed) are rendered across both engines
with every notebook of ``dockopt report`` and ``--repeats 1``. The second test re-runs the same
fleet into the same folder (each project goes back to the engine that measured it and reads its
numbers back) and kills the second engine while it works: the other projects finish and the
project it held is retried on the main engine (or reported, never lost).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from helpers.fleet import config as fleet_config
from helpers.fleet.engines import Engine, parse_engines
from helpers.fleet.results import report_tag
from helpers.fleet.run import render_fleet
from tests.support.second_engine import SecondEngine
from tests.support.tiny_projects import bases_to_load, write_fleet

NAMES = ("dockopt-fleet-alpha", "dockopt-fleet-beta", "dockopt-fleet-gamma")


@pytest.fixture(scope="module")
def second_engine(engine, tmp_path_factory):
    wanted = bases_to_load(engine)
    second = SecondEngine(tmp_path_factory.mktemp("second-engine"), name="dkopt-fleet1").start()
    try:
        second.load_images(*wanted)
        yield second
    finally:
        second.stop()


@pytest.fixture(scope="module")
def fleet_file(tmp_path_factory) -> Path:
    return write_fleet(tmp_path_factory.mktemp("fleet"), NAMES)


@pytest.fixture(scope="module")
def pool(second_engine) -> list[Engine]:
    return parse_engines(["unix:///var/run/docker.sock", second_engine.host])


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fleet-out")


@pytest.fixture(scope="module", autouse=True)
def remove_our_images(engine, fleet_file):
    yield
    for spec in fleet_config.load(fleet_file).projects:  # what the reports built on the main engine
        for image in engine.images.list(name=report_tag(spec.name, spec.context, "x").split(":")[0]):
            for tag in image.tags:
                try:
                    engine.images.remove(tag, force=True)
                except Exception:  # already gone
                    pass


@pytest.fixture(scope="module")
def first_fleet(pool, fleet_file, out):
    start = time.perf_counter()
    page, data = render_fleet(fleet_config.load(fleet_file), pool, out)
    data["test_wall_s"] = time.perf_counter() - start
    print(f"three-project fleet on two engines: {data['test_wall_s']:.0f} s")
    return page, data


def test_three_projects_across_two_engines(first_fleet, pool, second_engine, out):
    page, data = first_fleet
    assert page == out / "index.html" and (out / "fleet.json").is_file()
    projects = {p["name"]: p for p in data["projects"]}
    assert set(projects) == set(NAMES)
    used = {p["engine"]["name"] for p in projects.values() if p["engine"]}
    assert used == {e.name for e in pool}, f"both engines take projects: {used}"
    for name, project in projects.items():
        assert project["outcome"] == "ok", (name, project["message"])
        assert (out / project["slug"] / "index.html").is_file() and project["report"] == f"{project['slug']}/index.html"
        original = project["numbers"]["variants"]["original"]
        assert original["size_bytes"] > 100e6 and 0 < original["compressed_bytes"] < original["size_bytes"]
        assert original["code_rebuild_s"] > 0
        assert project["engine"]["cpus"] >= 1 and project["engine"]["engine_version"]
        assert project["lint"]["count"] > 0
    on_second = [p for p in projects.values() if p["engine"]["host"] == second_engine.host]
    assert on_second
    import docker

    second = docker.DockerClient(base_url=second_engine.host)
    for project in on_second:  # the build really ran on the engine the index names
        second.images.get(report_tag(project["name"], project["context"], "original"))
    assert data["mixed_engines"]
    html = page.read_text()
    assert "compare only within one engine" in html
    assert all(f'href="{p["slug"]}/index.html"' in html for p in projects.values())


def test_killed_engine_fails_only_its_project_which_is_retried(first_fleet, pool, second_engine, fleet_file, out):
    """Re-run into the same folder: each project goes back to the engine that measured it (and reads
    its numbers back); the second engine is killed 8 s into the last project it takes."""
    before = {p["name"]: p["engine"]["name"] for p in first_fleet[1]["projects"]}
    on_second = sum(1 for e in before.values() if e == second_engine.host)
    seen, started_on_second = [], []

    def log(line: str) -> None:
        seen.append(line)
        if f"on {second_engine.host}: dockopt report" in line:
            started_on_second.append(line)
            if len(started_on_second) == on_second:
                threading.Timer(8, second_engine.kill).start()

    page, data = render_fleet(fleet_config.load(fleet_file), pool, out, log=log)
    projects = {p["name"]: p for p in data["projects"]}
    killed = [p for p in projects.values()
              if any(a["outcome"] == "engine failed" for a in p["attempts"])]
    assert len(killed) == 1, "\n".join(seen)
    project = killed[0]
    first, retry = project["attempts"]
    assert first["engine"] == second_engine.host and second_engine.host in first["message"]
    assert "stopped answering" in first["message"]
    assert retry["engine"] != second_engine.host and retry["outcome"] == "ok", retry
    assert project["outcome"] == "ok" and project["engine"]["host"] != second_engine.host
    assert project["numbers"]["variants"]["original"]["size_bytes"] > 100e6  # measured again, on the main engine
    for name, other in projects.items():
        assert other["outcome"] == "ok", (name, other["message"])
        if other is not project:  # resumed: back on the engine that measured it
            assert other["engine"]["name"] == before[name] and len(other["attempts"]) == 1
    assert second_engine.host in data["dead_engines"]
    assert "left the pool" in page.read_text()
    json.loads((out / "fleet.json").read_text())
