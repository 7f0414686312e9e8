"""A cold sample render, timed and split: where a first report's wall time goes.

Runs ``dockopt report`` on the bundled sample with a fresh history file and ``--fresh`` (every
build measured, nothing reused), after ``dockopt clean`` released the build cache dockopt's
earlier runs left (``--no-clean`` on a shared engine, where that cache is someone else's
too), then the same with ``--repeats 3`` for reference. For each: wall time, the split the
render recorded (``helpers.report.render_split``: builds, runtime checks, build set-up, analysis,
rendering, kernels and cells), the overhead's share (issue 13: at most 15%), and the engine's
build cache before and after (``docker system df``). The load average is printed at start
and end: a figure taken on a loaded machine says so.

Run: python bench/first_report.py [--no-clean] [--no-reference] [--write bench/FIRST_REPORT.md]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers.report import render_split
from helpers.paths import DEFAULT_HISTORY, ROOT

BUDGET = 0.15  # issue 13: overhead at most 15% of a cold render


def default_repeats() -> int:
    """What ``dockopt report`` measures without --repeats (its parser's default)."""
    import argparse as ap

    from helpers.commands import report_cmd

    sub = ap.ArgumentParser().add_subparsers()
    report_cmd.register(sub)
    return sub.choices["report"].get_default("repeats")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build_cache_bytes() -> tuple[int, str]:
    """(bytes, docker system df's own line) of the engine's build cache."""
    from helpers.engine import connect

    records = connect.client().df().get("BuildCache") or []
    shown = subprocess.run(["docker", "system", "df"], capture_output=True, text=True).stdout
    line = next((l for l in shown.splitlines() if l.startswith("Build Cache")), "").strip()
    return sum(int(r.get("Size") or 0) for r in records), line


def dockopt(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "helpers.cli", *args], cwd=ROOT, env=env, text=True,
                          capture_output=True)


def render(name: str, repeats: int | None) -> dict:
    work = Path(tempfile.mkdtemp(prefix="dockopt-bench-"))
    history = work / "history.sqlite"
    args = ["report", "--out", str(work / "report"), "--history", str(history), "--fresh", "--quiet",
            "--name", name]
    if repeats:
        args += ["--repeats", str(repeats)]
    cache_before, df_before = build_cache_bytes()
    load_before = load()
    start = time.perf_counter()
    done = dockopt(*args)
    wall = time.perf_counter() - start
    cache_after, df_after = build_cache_bytes()
    render_id = render_split.latest(history)
    parts = render_split.split(render_split.rows(history, render_id), wall) if render_id else {}
    outside, share = render_split.overhead(parts) if parts else (None, None)
    return {"args": " ".join(args), "exit": done.returncode, "tail": (done.stdout + done.stderr)[-1500:],
            "wall": wall, "parts": parts, "overhead": outside, "share": share, "load_before": load_before,
            "load_after": load(), "cache_before": cache_before, "cache_after": cache_after,
            "df_before": df_before, "df_after": df_after, "out": work}


def markdown(title: str, run: dict) -> str:
    lines = [f"### {title}", "", f"`dockopt {run['args']}` — exit {run['exit']}, "
             f"load average {run['load_before']} at start, {run['load_after']} at end", "",
             "| work | seconds | share |", "|---|---:|---:|"]
    for row in render_split.table(run["parts"]) if run["parts"] else []:
        lines.append(f"| {row['category']} | {row['seconds']:.1f} | {row['share']} |")
    if run["share"] is not None:
        verdict = "within" if run["share"] <= BUDGET else "OVER"
        lines += ["", f"Overhead {run['overhead']:.0f} s of {run['wall']:.0f} s = {100 * run['share']:.1f}% "
                  f"({verdict} the {100 * BUDGET:.0f}% budget)."]
    lines += ["", f"Build cache: {run['cache_before'] / 1e9:.2f} GB before, {run['cache_after'] / 1e9:.2f} GB after "
              f"(`docker system df`: before `{run['df_before']}`, after `{run['df_after']}`).", ""]
    if run["exit"]:
        lines += ["```", run["tail"], "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-clean", action="store_true",
                        help="do not run `dockopt clean` first (a shared engine: the cache is not only ours)")
    parser.add_argument("--no-reference", action="store_true", help="skip the --repeats 3 render")
    parser.add_argument("--name", default="bench sample", help="project name (its images are dockopt-report/<slug>)")
    parser.add_argument("--write", help="also write the results as markdown to this file")
    args = parser.parse_args(argv)
    print(f"load average at start: {load()} ({os.cpu_count()} CPUs)", flush=True)
    if not args.no_clean:
        cleaned = dockopt("clean", "--history", str(DEFAULT_HISTORY))
        print(cleaned.stdout.strip() or cleaned.stderr.strip(), flush=True)
    sections = []
    default = default_repeats()
    runs = [(f"Cold sample render (default: {default} repeat{'s' if default != 1 else ''} per scenario)", None)]
    if args.no_reference:
        pass
    elif default == 3:
        print("dockopt's default is already --repeats 3: the reference render would repeat the first", flush=True)
    else:
        runs.append(("Cold sample render, --repeats 3 (reference)", 3))
    for title, repeats in runs:
        print(f"{title} ...", flush=True)
        run = render(args.name, repeats)
        sections.append(markdown(title, run))
        print(sections[-1], flush=True)
    print(f"load average at end: {load()}", flush=True)
    if args.write:
        Path(args.write).write_text("\n".join(sections))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
