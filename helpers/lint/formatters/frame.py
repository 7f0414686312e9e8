"""Findings as a pandas DataFrame: what notebooks group, count and chart."""

from __future__ import annotations

import pandas as pd

from helpers.lint.finding import CATEGORIES, SEVERITIES, Finding

COLUMNS = ["code", "severity", "category", "line", "message", "fix", "sources", "file", "column"]


def to_frame(findings: list[Finding]) -> pd.DataFrame:
    """One row per finding; severity and category are ordered categoricals so sorts follow the seed."""
    frame = pd.DataFrame([f.as_dict() for f in findings], columns=COLUMNS)
    frame["sources"] = frame["sources"].map(lambda s: ", ".join(s) if isinstance(s, list) else s)
    frame["line"] = frame["line"].astype("Int64")  # None (a context finding) stays <NA>, not 0
    frame["column"] = frame["column"].astype("Int64")
    frame["severity"] = pd.Categorical(frame["severity"], categories=list(SEVERITIES), ordered=True)
    frame["category"] = pd.Categorical(frame["category"], categories=list(CATEGORIES), ordered=True)
    return frame
