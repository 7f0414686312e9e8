"""The analysis's "Implementation Priority": each item of its plan with what was measured to verify it.

An item verified by the absence of a finding names the rule that finds it (its module's ``CODE``),
so the checklist follows the rule if its code ever changes.
"""

from __future__ import annotations

import pandas as pd

from helpers.lint.rules import single_stage_build
from helpers.project import Project
from helpers.report import phase_budgets
from helpers.study.findings import lint
from helpers.study.measured import Measured
from helpers.study.overview import PHASE_NAMES, context_sizes
from helpers.study.platform_builds import platforms

VERIFIED = {True: "yes", False: "NO", None: "not measured"}


def item(phase: int, text: str, ok: bool | None, evidence: str) -> dict:
    return {"phase": phase, "item": text, "verified": VERIFIED[ok], "evidence": evidence}


def plan_checklist(project: Project, measured: Measured, security_reports: dict) -> pd.DataFrame:
    """The analysis's "Implementation Priority", each item with what was measured to verify it."""
    from helpers.report.charts import size_text  # plotly: only the summary page draws

    codes = {v: set(lint(project, v).codes()) for v in project.available(PHASE_NAMES)}
    contexts = context_sizes(project, ["original", "phase1"])
    sent = dict(zip(contexts["variant"], contexts["bytes"])) if len(contexts) else {}
    run = measured.runtime
    size = {v: r.sizes.uncompressed_bytes for v, r in measured.images.items()}

    def absent(code: str, variant: str) -> bool:
        """No finding ``code`` on the variant; a variant not linted counts as having it (not verified)."""
        return code not in codes.get(variant, {code})

    single_stage, cache_mount, digest = single_stage_build.CODE, phase_budgets.NO_CACHE_MOUNT, phase_budgets.BASE_NOT_PINNED
    unpinned = phase_budgets.UNPINNED
    rows = [
        item(1, "Add .dockerignore file", sent.get("phase1", 0) < sent.get("original", 0) if sent else None,
             f"context sent: {size_text(sent.get('original'))} → {size_text(sent.get('phase1'))}"),
        item(1, "Implement multi-stage build", absent(single_stage, "phase1"),
             f"no single-stage-that-compiles finding ({single_stage}) on phase 1"),
        item(1, "Fix layer caching order", phase_budgets.reinstalls(measured, "phase1") is False
             if "phase1" in measured.images else None, "code-change rebuild of phase 1 re-ran no dependency install"),
        item(1, "Remove build tools from runtime", (len(measured.images["phase1"].build_tools.binaries) == 0)
             if "phase1" in measured.images else None, "no compiler/make/cmake found in the phase-1 filesystem"),
        item(2, "Add BuildKit cache mounts", absent(cache_mount, "phase2"),
             f"no missing-cache-mount finding ({cache_mount}) on phase 2"),
        item(2, "Implement non-root user", (run.get("phase2", {}).get("actual_uid") or 0) > 0 if "phase2" in run else None,
             f"uid of the running phase-2 container: {run.get('phase2', {}).get('actual_uid')}"),
        item(2, "Pin all dependency versions", all(absent(code, "phase2") for code in unpinned),
             f"no unpinned-dependency finding ({', '.join(unpinned)}) on phase 2"),
        item(2, "Add health check", run.get("phase2", {}).get("health") == "healthy" if "phase2" in run else None,
             f"phase-2 container health: {run.get('phase2', {}).get('health')}"),
        item(3, "Use image digests for base images", absent(digest, "phase3"),
             f"every FROM of phase 3 carries @sha256 ({digest} absent)"),
        item(3, "Implement vulnerability scanning",
             bool(security_reports.get("phase3") and security_reports["phase3"].os.scanned) if security_reports else None,
             "phase-3 OS packages checked against Debian's security index"),
        platform_item(project),
        item(3, "Consider distroless/minimal base images", size.get("phase3", 0) < size.get("phase2", 0)
             if {"phase2", "phase3"} <= set(size) else None,
             f"phase 3 {size_text(size.get('phase3'))} vs phase 2 {size_text(size.get('phase2'))}"),
    ]
    return pd.DataFrame(rows)


def platform_item(project: Project) -> dict:
    """The plan's multi-platform item, from the phase-3 platform builds (cached by the phase-3 notebook)."""
    frame = platforms(project, "phase3")
    ok = bool(len(frame)) and (frame["status"] == "ok").all()
    skipped = frame["status"].str.match(r"skipped|not built").any() if len(frame) else True
    evidence = "; ".join(f"{r['platform']}: {r['status']}" for _, r in frame.iterrows())
    return {"phase": 3, "item": "Add multi-platform builds (amd64/arm64)",
            "verified": "yes" if ok else ("not measured" if skipped else "NO"), "evidence": evidence}
