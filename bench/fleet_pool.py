"""The same three-project fleet on one engine and on two; what one project costs. Prints JSON.

    PYTHONPATH=. python bench/fleet_pool.py [--projects 3] [--out /tmp/dockopt-fleet-bench]

Starts a second dockerd on this machine (tests/support/second_engine.py), loads the base images
into it, then renders the fleet of tiny projects (tests/support/tiny_projects.py, every notebook
of ``dockopt report``, ``--repeats 1``) with the main engine alone and with both engines. Each run
gets its own projects' content (no build cache shared between runs) and its own history files.
Per project, from those history files: builds run (timed repeats, and every image built), timed
build seconds, report wall seconds; disk: the second engine's data root before and after.
Images the runs build on the main engine are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.fleet import config as fleet_config  # noqa: E402
from helpers.fleet.engines import parse_engines  # noqa: E402
from helpers.fleet.results import report_tag  # noqa: E402
from helpers.fleet.run import render_fleet  # noqa: E402
from tests.support.second_engine import SecondEngine  # noqa: E402
from tests.support.tiny_projects import bases_to_load, write_fleet  # noqa: E402

MAIN = "unix:///var/run/docker.sock"


def du(path: Path) -> int:
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else 0


def history_costs(history_root: Path) -> dict:
    """Per history file: timed builds, their seconds, variants built and the file's size."""
    costs = {}
    for db in sorted(history_root.glob("*/history.sqlite")):
        with closing(sqlite3.connect(db)) as conn:
            timed, seconds = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(r.seconds), 0) FROM scenario_repeats r JOIN scenarios s USING (scenario_id) "
                "WHERE s.reused_from IS NULL").fetchone()
            variants = conn.execute("SELECT COUNT(DISTINCT image_id) FROM variants WHERE image_id IS NOT NULL").fetchone()[0]
            analyses = conn.execute("SELECT kind, COUNT(*), COALESCE(SUM(seconds), 0) FROM analyses GROUP BY kind").fetchall()
        costs[db.parent.name] = {"timed_builds": timed, "timed_build_s": round(seconds, 1), "images": variants,
                                 "analyses": {k: {"count": n, "seconds": round(s, 1)} for k, n, s in analyses},
                                 "history_bytes": db.stat().st_size,
                                 "derived_bytes": du(db.parent / "derived") if (db.parent / "derived").exists() else 0}
    return costs


def run(label: str, engines: list[str], root: Path, names: list[str], second: SecondEngine) -> dict:
    fleet_file = write_fleet(root / label / "projects", names, salt=f"{label}-{time.time()}")
    before = du(second.dir / "root")
    start = time.perf_counter()
    _, data = render_fleet(fleet_config.load(fleet_file), parse_engines(engines), root / label / "out",
                           log=lambda line: print(f"[{label}] {line}", flush=True))
    wall = time.perf_counter() - start
    return {"engines": engines, "wall_s": round(wall, 1),
            "projects": [{"name": p["name"], "engine": (p["engine"] or {}).get("name"), "outcome": p["outcome"],
                          "report_s": p["attempts"][-1]["seconds"] if p["attempts"] else None}
                         for p in data["projects"]],
            "history": history_costs(root / label / "out" / "history"),
            "second_engine_disk_growth_bytes": du(second.dir / "root") - before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=3)
    parser.add_argument("--out", default="/tmp/dockopt-fleet-bench")
    parser.add_argument("--runs", default="one,two", help="which runs: one (main engine alone), two (both)")
    args = parser.parse_args()
    root = Path(args.out)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    second = SecondEngine(root / "engine", name="dkopt-fbench1").start()
    results = {}
    names = {label: [f"dockopt-fleet-bench-{label}-{i}" for i in range(args.projects)] for label in ("one", "two")}
    try:
        t = time.perf_counter()
        import docker

        second.load_images(*bases_to_load(docker.DockerClient(base_url=MAIN)))
        results["load_bases_s"] = round(time.perf_counter() - t, 1)
        results["second_engine_bases_bytes"] = du(second.dir / "root")
        if "one" in args.runs.split(","):
            results["one_engine"] = run("one", [MAIN], root, names["one"], second)
        if "two" in args.runs.split(","):
            results["two_engines"] = run("two", [MAIN, second.host], root, names["two"], second)
    finally:
        second.stop()
        import docker

        cli = docker.DockerClient(base_url=MAIN)
        for name in names["one"] + names["two"]:
            for image in cli.images.list(name=report_tag(name, "x").split(":")[0]):
                for tag in image.tags:
                    try:
                        cli.images.remove(tag, force=True)
                    except Exception:  # already gone
                        pass
    print(json.dumps(results, indent=1))
    (root / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
