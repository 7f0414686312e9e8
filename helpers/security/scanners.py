"""External vulnerability scanners, used only when installed and able to reach their database.

Each returns a ``ScannerStatus``: ``scanned`` with a count, or ``skipped``/``failed`` with the
reason. A scanner that did not run never reads as "0 vulnerabilities".
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_S = 300


@dataclass(frozen=True)
class ScannerStatus:
    name: str
    status: str  # "scanned", "skipped" or "failed"
    reason: str = ""
    vulnerabilities: int | None = None  # None unless status == "scanned"

    @property
    def scanned(self) -> bool:
        return self.status == "scanned"


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def pip_audit(python_dists) -> ScannerStatus:
    """pip-audit over the image's Python distributions (queried against PyPI's advisory data)."""
    binary = shutil.which("pip-audit")
    if binary is None:
        return ScannerStatus("pip-audit", "skipped", "pip-audit is not installed")
    pins = sorted({f"{d.name}=={d.version}" for d in python_dists})
    if not pins:
        return ScannerStatus("pip-audit", "skipped", "no Python distributions in the image")
    with tempfile.TemporaryDirectory(prefix="dockopt-pipaudit-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text("\n".join(pins) + "\n")
        try:
            proc = _run([binary, "-r", str(requirements), "--no-deps", "--disable-pip", "--format", "json",
                         "--progress-spinner", "off"])
        except subprocess.TimeoutExpired:
            return ScannerStatus("pip-audit", "failed", f"timed out after {TIMEOUT_S}s")
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return ScannerStatus("pip-audit", "failed", f"exit {proc.returncode}: {_tail(proc.stderr)}")
    deps = report.get("dependencies", []) if isinstance(report, dict) else report
    skipped = [d for d in deps if d.get("skip_reason")]
    if deps and len(skipped) == len(deps):
        return ScannerStatus("pip-audit", "failed", f"every package skipped: {skipped[0]['skip_reason']}")
    return ScannerStatus("pip-audit", "scanned", f"{len(deps) - len(skipped)} distributions audited",
                         sum(len(d.get("vulns", [])) for d in deps))


def image_scanner(name: str, tag: str) -> ScannerStatus:
    """trivy or grype against the engine image, if installed; their DB download decides the rest."""
    binary = shutil.which(name)
    if binary is None:
        return ScannerStatus(name, "skipped", f"{name} is not installed")
    argv = ([binary, "image", "--quiet", "--format", "json", tag] if name == "trivy"
            else [binary, f"docker:{tag}", "-o", "json", "-q"])
    try:
        proc = _run(argv)
    except subprocess.TimeoutExpired:
        return ScannerStatus(name, "failed", f"timed out after {TIMEOUT_S}s")
    if proc.returncode != 0:
        return ScannerStatus(name, "failed", f"exit {proc.returncode} (database unreachable?): {_tail(proc.stderr)}")
    report = json.loads(proc.stdout or "{}")
    if name == "trivy":
        count = sum(len(r.get("Vulnerabilities") or []) for r in report.get("Results") or [])
    else:
        count = len(report.get("matches") or [])
    return ScannerStatus(name, "scanned", "", count)


def run_all(tag: str | None, python_dists) -> list[ScannerStatus]:
    statuses = [pip_audit(python_dists)]
    for name in ("trivy", "grype"):
        statuses.append(image_scanner(name, tag) if tag else
                        ScannerStatus(name, "skipped", "no engine image to scan (read from a tarball)"))
    return statuses
