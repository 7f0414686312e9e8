"""What the linter says about a variant's Dockerfile: the findings, by category, the unpinned ones, its FROM lines."""

from __future__ import annotations

import pandas as pd

from helpers.dockerfile.model import parse_dockerfile
from helpers.errors import DockoptError
from helpers.lint import lint_dockerfile
from helpers.project import Project
from helpers.report import render_split
from helpers.report.phase_budgets import UNPINNED  # the table shows what the phase-2 budget counts
from helpers.study.text import relative_paths


def lint(project: Project, variant: str = "original"):
    """Lint one variant's Dockerfile against the project's context (hadolint included)."""
    path = project.dockerfile_for(variant) or project.unusable_files.get(variant)  # may derive: its own work
    if path is None:
        raise DockoptError(f"There is no {variant} Dockerfile to lint: {project.variant_source.get(variant, 'none given')}.",
                           hint="see the variants table at the top of the page for why")
    with render_split.spent(render_split.ANALYSIS, "lint"):
        return lint_dockerfile(path, context=project.context_for(variant),
                               build_args=project.build_args(variant) or None)


def findings_table(result) -> pd.DataFrame:
    frame = result.frame()
    if frame.empty:
        return frame
    cols = [c for c in ("line", "severity", "code", "category", "message", "fix") if c in frame.columns]
    frame = frame[cols].reset_index(drop=True)
    frame["message"] = frame["message"].map(relative_paths)
    return frame


def findings_by_category(result) -> pd.DataFrame:
    frame = result.frame()
    if frame.empty:
        return pd.DataFrame(columns=["category", "severity", "count"])
    return frame.groupby(["category", "severity"]).size().reset_index(name="count")


def pin_table(lint_result) -> pd.DataFrame:
    frame = lint_result.frame()
    if frame.empty:
        return pd.DataFrame([{"finding": "none", "message": "every dependency is pinned"}])
    pins = frame[frame["code"].isin(UNPINNED)]
    if pins.empty:
        return pd.DataFrame([{"finding": "none", "message": f"every dependency is pinned (no {'/'.join(UNPINNED)})"}])
    return pins[["line", "code", "message"]].reset_index(drop=True)


def digest_table(project: Project, variant: str = "phase3") -> pd.DataFrame:
    """Each FROM of the variant: as written, as built (build args applied), and pinned or not."""
    path = project.dockerfile_for(variant)
    if path is None:
        return pd.DataFrame([{"stage": "", "skipped": f"no {variant} Dockerfile"}])
    model = parse_dockerfile(path, build_args=project.build_args(variant) or None)
    return pd.DataFrame([{"stage": s.label, "FROM as written": s.base_raw, "resolved": s.base,
                          "pinned by digest": "@sha256:" in s.base} for s in model.stages])
