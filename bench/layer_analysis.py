"""Benchmark dockopt's layer analysis against dive on the same images; writes bench/RESULTS.md.

    PYTHONPATH=. python bench/layer_analysis.py [--repeats 3] [--tag-prefix dockopt-bench/bench] [--save-mode]

Images: the sample's original and phase 3, and a 1.9 GB one (the original plus 400 MB written
and deleted). Each image has a twin built without its own layers' hidden waste, so the size
difference is the *true* reclaimable figure both tools' waste counts are set against.

Each tool runs as its own process under GNU time (wall time and peak resident memory of that
process), in two modes: from the engine (each tool gets the image itself, as a user would run
it: dockopt reads a local overlay2 engine's layer store, dive exports with docker save) and
from one ``docker save`` tarball (analysis alone). ``--save-mode`` adds a third: from the engine
with dockopt forced to export too (``--source save``, what a remote engine gets). Runs
alternate between the tools so load from other work on a shared machine hits both alike;
medians and min-max are kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers import sample  # noqa: E402
from helpers.engine import buildkit, connect, images  # noqa: E402
from tests.support import sample_images  # noqa: E402

BENCH = ROOT / "bench"
WORK = BENCH / "work"
RESULTS = BENCH / "RESULTS.md"
DIVE = shutil.which("dive") or str(Path(sys.executable).parent / "dive")
GNU_TIME = "/usr/bin/time"


@dataclass
class Subject:
    name: str
    tag: str
    dockerfile: Path
    twin_tag: str  # the same image without its own layers' hidden waste
    note: str


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)

    def median_s(self) -> float:
        return statistics.median(self.seconds)

    def median_mib(self) -> float:
        return statistics.median(self.peak_kib) / 1024


def build_subjects(prefix: str | None) -> list[Subject]:
    """The images measured; with ``prefix`` every one is tagged ``PREFIX:NAME`` (BuildKit's cache
    makes that a retag when the sample's variants were built before)."""
    if prefix:
        sample.ensure_weights()
        original, phase3 = (buildkit.build(sample.SAMPLE_CONTEXT, sample.variant(n).dockerfile, f"{prefix}:{n}",
                                           build_args=sample.build_args(sample.variant(n))).tag
                            for n in ("original", "phase3"))
    else:
        original = sample_images.build_variant("original").tag
        phase3 = sample_images.build_variant("phase3").tag
    context = sample.SAMPLE_CONTEXT
    clean = f"{prefix or 'dockopt-measure/bench'}:original-clean"
    big = f"{prefix or 'dockopt-measure/bench'}:original-big"
    buildkit.build(context, BENCH / "dockerfiles" / "original-clean.Dockerfile", clean)
    buildkit.build(context, BENCH / "dockerfiles" / "original-big.Dockerfile", big)
    return [
        Subject("original", original, sample.variant("original").dockerfile, clean,
                "twin: apt lists removed in the layer that downloads them"),
        Subject("phase3", phase3, sample.variant("phase3").dockerfile, phase3,
                "its own layers hide nothing: it is its own twin"),
        Subject("original+400MB", big, BENCH / "dockerfiles" / "original-big.Dockerfile", clean,
                "twin: original-clean (no apt lists, no 400 MB scratch file)"),
    ]


def timed(argv: list[str]) -> tuple[float, int, str]:
    """Run argv under GNU time; (wall seconds, peak RSS KiB, stdout). Raises on failure."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        proc = subprocess.run([GNU_TIME, "-v", "-o", report.name, *argv], capture_output=True, text=True,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)))
        wall = time.perf_counter() - start
        text = report.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr[-1500:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return wall, peak, proc.stdout


def dockopt_argv(subject: Subject, archive: Path | None, source: str = "auto") -> list[str]:
    target = [str(archive), "--archive"] if archive else [subject.tag, "--source", source]
    return [sys.executable, "-m", "helpers.cli", "inspect", *target, "--dockerfile", str(subject.dockerfile),
            "--json", "--no-compressed"]


def dive_argv(subject: Subject, archive: Path | None, out: Path) -> list[str]:
    source = ["--source", "docker-archive", str(archive)] if archive else [subject.tag]
    return [DIVE, *source, "--json", str(out)]


def run_mode(subject: Subject, archive: Path | None, repeats: int, source: str = "auto") -> dict:
    ours, theirs = Timing(), Timing()
    ours_json = dive_json = None
    for _ in range(repeats):
        wall, peak, out = timed(dockopt_argv(subject, archive, source))
        ours.seconds.append(wall)
        ours.peak_kib.append(peak)
        ours_json = json.loads(out)
        with tempfile.TemporaryDirectory(prefix="dive-") as tmp:
            out_path = Path(tmp) / "dive.json"
            wall, peak, _ = timed(dive_argv(subject, archive, out_path))
            dive_json = json.loads(out_path.read_text())
        theirs.seconds.append(wall)
        theirs.peak_kib.append(peak)
    return {"dockopt": ours, "dive": theirs, "dockopt_json": ours_json, "dive_json": dive_json}


def mb(n: float | None) -> str:
    return "-" if n is None else f"{n / 1e6:,.1f} MB"


def span(t: Timing) -> str:
    return f"{t.median_s():.1f} s ({min(t.seconds):.1f}-{max(t.seconds):.1f})"


MODES = {"engine": "from engine", "save": "from engine, dockopt via docker save", "archive": "from archive"}


def write_results(rows: list[dict], repeats: int, info, load: tuple[float, float]) -> None:
    sources = sorted({row[mode]["dockopt_json"].get("source", "?") for row in rows for mode in MODES if mode in row})
    lines = [
        "# Layer analysis: dockopt vs dive",
        "",
        "Written by `bench/layer_analysis.py`; do not edit by hand.",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; engine {info.engine_version} "
        f"({info.storage_driver}), {info.cpus} CPUs, {platform.python_implementation()} {platform.python_version()}; "
        f"dive {subprocess.run([DIVE, '--version'], capture_output=True, text=True).stdout.strip()}",
        f"- load average at start / end: {load[0]:.1f} / {load[1]:.1f} (a shared machine: other builds may "
        "have been running; runs alternate between the tools so both see the same load)",
        f"- each figure: median of {repeats} runs (min-max); peak memory = maximum resident set size of "
        "the tool's process (GNU time)",
        "- dockopt: `dockopt inspect IMAGE --dockerfile F --json --no-compressed` (sizes, layers by line, "
        "waste by category, build tools, unwanted files); dive: `dive IMAGE --json OUT`",
        "- *from engine*: each tool gets the image from the engine itself, as a user runs it (dive exports "
        "it with docker save; dockopt reads a local overlay2 engine's layer store, falling back to docker save); "
        "*from engine, dockopt via docker save*: dockopt forced to export too (`--source save`, what a remote "
        "engine gets); *from archive*: both read the same `docker save` tarball (analysis only)",
        "- where dockopt read the layers (its JSON `source`): " + "; ".join(f"`{s}`" for s in sources),
        "- dockopt's report from the engine equals its report from the archive (all figures but name, id, "
        "source and the engine's Size): " + ", ".join(
            f"{row['name']} {'yes' if row['same_report'] else 'NO'}" for row in rows),
        "",
        "## Speed and memory",
        "",
        "| image | size | mode | dockopt time | dive time | dive/dockopt time | dockopt peak | dive peak | dive/dockopt memory |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        for mode in (m for m in MODES if m in row):
            r = row[mode]
            ours, theirs = r["dockopt"], r["dive"]
            lines.append(
                f"| {row['name']} | {mb(row['size'])} | {MODES[mode]} | {span(ours)} | {span(theirs)} | "
                f"{theirs.median_s() / ours.median_s():.2f}x | {ours.median_mib():.0f} MiB | "
                f"{theirs.median_mib():.0f} MiB | {theirs.median_mib() / ours.median_mib():.2f}x |")
    lines += [
        "",
        "## Wasted bytes against the truth",
        "",
        "*True reclaimable* = size of the image minus size of its twin rebuilt without its own layers' "
        "hidden waste (`docker image inspect`). dockopt's *hidden (own layers)* is the figure that "
        "claims to predict it; *hidden (all layers)* adds the base image's; *reclaimable* adds files "
        "still visible but not needed (apt/pip caches, `__pycache__`, build tools). dive's figure is "
        "its `inefficientBytes` (every copy of a path seen in more than one layer).",
        "",
        "| image | true reclaimable | dockopt hidden (own layers) | error vs true | dockopt hidden (all) "
        "| dockopt reclaimable | dive wasted | dive error vs true | twin |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        truth, own, dive = row["true"], row["own_hidden"], row["dive_wasted"]

        def err(x: float) -> str:
            return f"{(x - truth) / truth:+.1%}" if truth else ("0" if x == 0 else f"+{mb(x)}")

        lines.append(f"| {row['name']} | {mb(truth)} | {mb(own)} | {err(own)} | {mb(row['all_hidden'])} | "
                     f"{mb(row['reclaimable'])} | {mb(dive)} | {err(dive)} | {row['note']} |")
    lines += ["", "## Per image, dockopt's waste by category", ""]
    for row in rows:
        cats = ", ".join(f"{k}: {mb(v)}" for k, v in row["by_category"].items() if v)
        lines.append(f"- {row['name']}: {cats}")
    RESULTS.write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tag-prefix", help="tag the measured images PREFIX:NAME (default: the tests' sample "
                        "tags and dockopt-measure/bench)")
    parser.add_argument("--save-mode", action="store_true",
                        help="also time dockopt forced to export with docker save (--source save)")
    args = parser.parse_args()
    info = connect.describe(connect.client())
    subjects = build_subjects(args.tag_prefix)
    WORK.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]
    rows = []
    for subject in subjects:
        print(f"== {subject.name} ({subject.tag})", flush=True)
        size = images.inspect(subject.tag)["Size"]
        truth = size - images.inspect(subject.twin_tag)["Size"]
        engine = run_mode(subject, None, args.repeats)
        saving = run_mode(subject, None, args.repeats, source="save") if args.save_mode else None
        archive = WORK / f"{subject.name}.tar"
        try:
            images.save(subject.tag, archive)
            offline = run_mode(subject, archive, args.repeats)
        finally:
            archive.unlink(missing_ok=True)
        report = offline["dockopt_json"]
        rows.append({
            "name": subject.name, "size": size, "true": truth, "note": subject.note,
            "own_hidden": report["hidden_bytes"] - _base_hidden(report), "all_hidden": report["hidden_bytes"],
            "reclaimable": report["reclaimable_bytes"], "by_category": report["waste_by_category"],
            "dive_wasted": offline["dive_json"]["image"]["inefficientBytes"],
            "same_report": comparable(engine["dockopt_json"]) == comparable(report),
            "engine": engine, "archive": offline, **({"save": saving} if saving else {}),
        })
        for mode in (m for m in MODES if m in rows[-1]):
            r = rows[-1][mode]
            print(f"   {mode:8} dockopt {span(r['dockopt'])} {r['dockopt'].median_mib():.0f} MiB | "
                  f"dive {span(r['dive'])} {r['dive'].median_mib():.0f} MiB", flush=True)
    write_results(rows, args.repeats, info, (load_start, os.getloadavg()[0]))
    print(f"wrote {RESULTS}")
    return 0


def comparable(report: dict) -> dict:
    """A report without what differs by where it was read: name, id, source, the engine's Size."""
    data = {k: v for k, v in report.items() if k not in ("tag", "image_id", "source")}
    data["sizes"] = {k: v for k, v in report["sizes"].items() if k != "uncompressed_bytes"}
    return data


def _base_hidden(report: dict) -> int:
    return report["hidden_in_base_image_bytes"]


if __name__ == "__main__":
    sys.exit(main())
