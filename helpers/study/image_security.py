"""The phase-3 security scan of each measured image: scores, counts and the hardening checklist."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from helpers.history import analysis_cache
from helpers.project import Project
from helpers.study.measured import Measured


def security(project: Project, measured: Measured, fresh: bool = False) -> dict:
    """variant -> SecurityReport, cached per image id and day (Debian's security index changes daily)."""
    from helpers.security.scan import scan_image  # the scanner stack is heavy; only phase 3 and the summary scan

    reports = {}
    for variant, report in measured.images.items():
        image_id, dockerfile = report.image_id, project.dockerfile_for(variant)
        args = project.build_args(variant) or None
        reports[variant] = analysis_cache.cached(
            project.history, "security", image_id, fresh=fresh,
            extra=f"{dt.date.today().isoformat()}:{dockerfile}",
            compute=lambda: scan_image(image_id, dockerfile=dockerfile, build_args=args))
    return reports


def security_table(reports: dict) -> pd.DataFrame:
    rows = []
    for variant, report in reports.items():
        counts = report.counts()
        rows.append({"variant": variant, "score": report.score, "grade": report.grade,
                     **{k: v for k, v in counts.items()},
                     "OS packages with a security fix pending": report.os.count if report.os.scanned
                     else f"not scanned: {report.os.reason}",
                     "scanners": "; ".join(f"{s.name}: {s.status}" for s in report.scanner_list)})
    return pd.DataFrame(rows)


def checklist_rules() -> dict[str, tuple[str, ...]]:
    """Checklist row -> the ids of the image checks (helpers.security.checks) whose absence means it passes."""
    from helpers.security.checks import base_pin, build_tools, exposed_ports, healthcheck, root_user, secrets, \
        setuid, world_writable

    return {
        "runs as non-root": (root_user.RULE.id,),
        "no setuid/setgid executables": (setuid.RULE.id,),
        "no world-writable paths": (world_writable.RULE.id,),
        "no compilers or build systems": (build_tools.RULE.id,),
        "no secrets or .env files in any layer": (secrets.RULE.id, secrets.DOTENV_RULE.id),
        "base pinned by digest": (base_pin.RULE.id,),
        "has a HEALTHCHECK": (healthcheck.RULE.id,),
        "no remote-shell port exposed": (exposed_ports.SHELL_RULE.id,),
    }


def security_checklist(reports: dict) -> pd.DataFrame:
    rows = []
    checks = checklist_rules()
    for variant, report in reports.items():
        found = set(report.findings["rule"]) if len(report.findings) else set()
        for check, rules in checks.items():
            rows.append({"variant": variant, "check": check, "passed": not (found & set(rules))})
        rows.append({"variant": variant, "check": "no pending OS security fixes",
                     "passed": (report.os.count == 0) if report.os.scanned else None})
    return pd.DataFrame(rows)
