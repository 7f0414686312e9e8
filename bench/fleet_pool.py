"""The same three-project fleet on one engine and on two; what one project costs. Prints JSON.

    PYTHONPATH=. python bench/fleet_pool.py [--projects 3] [--out /tmp/dockopt-fleet-bench]

Starts two dockerds of its own on this machine (tests/support/second_engine.py), so no other work
on the main engine (a base image rebuilt, a build cache pruned) changes what is measured, loads the
base images into both from the main engine, then renders the fleet of tiny projects
(tests/support/tiny_projects.py, every notebook of ``dockopt report``, ``--repeats 1``) on both
engines, then on the first alone. Each run gets its own projects' content (no build cache shared
between runs) and its own history files. Per project, from those history files: timed builds,
their seconds, analyses and their seconds, report wall seconds; disk: the first engine's data root
before and after each run. Both engines are removed at the end.
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
from helpers.fleet.run import render_fleet  # noqa: E402
from tests.support.second_engine import SecondEngine  # noqa: E402
from tests.support.tiny_projects import bases_to_load, write_fleet  # noqa: E402

MAIN = "unix:///var/run/docker.sock"  # where the base images come from


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


def run(label: str, engines: list[str], root: Path, names: list[str], first: SecondEngine) -> dict:
    fleet_file = write_fleet(root / label / "projects", names, salt=f"{label}-{time.time()}")
    before = du(first.dir / "root")
    start = time.perf_counter()
    _, data = render_fleet(fleet_config.load(fleet_file), parse_engines(engines), root / label / "out",
                           log=lambda line: print(f"[{label}] {line}", flush=True))
    wall = time.perf_counter() - start
    return {"engines": engines, "wall_s": round(wall, 1),
            "projects": [{"name": p["name"], "engine": (p["engine"] or {}).get("name"), "outcome": p["outcome"],
                          "report_s": p["attempts"][-1]["seconds"] if p["attempts"] else None}
                         for p in data["projects"]],
            "history": history_costs(root / label / "out" / "history"),
            "first_engine_disk_growth_bytes": du(first.dir / "root") - before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=3)
    parser.add_argument("--out", default="/tmp/dockopt-fleet-bench")
    parser.add_argument("--runs", default="two,one", help="which runs, in order: two (both engines), one (the first alone)")
    args = parser.parse_args()
    root = Path(args.out)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    import docker

    wanted = bases_to_load(docker.DockerClient(base_url=MAIN))
    engines = []
    results = {"runs": args.runs}
    names = {label: [f"dockopt-fleet-bench-{label}-{i}" for i in range(args.projects)] for label in ("one", "two")}
    try:
        for n in (1, 2):
            engines.append(SecondEngine(root / f"engine{n}", name=f"dkopt-fbench{n}").start())
            t = time.perf_counter()
            engines[-1].load_images(*wanted)
            results[f"engine{n}_load_bases_s"] = round(time.perf_counter() - t, 1)
        results["engine_bases_bytes"] = du(engines[0].dir / "root")
        for label in args.runs.split(","):
            hosts = [e.host for e in engines[: 1 if label == "one" else 2]]
            results[label] = run(label, hosts, root, names[label], engines[0])
            (root / "results.json").write_text(json.dumps(results, indent=1))
    finally:
        for engine in engines:
            engine.stop()
    print(json.dumps(results, indent=1))
    (root / "results.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
