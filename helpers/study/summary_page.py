"""The summary page: the seed's "Expected Results" measured, the verdicts, and the history of runs."""

from __future__ import annotations

import pandas as pd

from helpers.history import store
from helpers.project import Project
from helpers.report import summary
from helpers.study.measured import Measured
from helpers.study.text import Text


def expected_results(measured: Measured, security_reports: dict | None = None) -> pd.DataFrame:
    return summary.expected_results(measured, security_reports)


def verdicts(results: pd.DataFrame) -> Text:
    note = summary.basis_note(results)
    return Text("\n".join(([note] if note else []) + [f"{r['Metric']}: {r['Verdict']}" for _, r in results.iterrows()]))


def save_summary(results: pd.DataFrame, report_dir: str, plan: pd.DataFrame | None = None) -> str:
    return summary.save(results, report_dir, plan)


def history_frame(project: Project, metric: str = "Rebuild (code change)") -> pd.DataFrame:
    """Code-change rebuild medians over every run in the history file, per variant."""
    with store.open_history(project.history) as hist:
        frame = hist.code_rebuilds(str(project.context))
    frame["started"] = pd.to_datetime(frame["started"])
    return frame
