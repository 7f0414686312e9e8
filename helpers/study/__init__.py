"""What the phase notebooks call: one line per cell, tidy DataFrames and report objects back.

The notebooks write ``study.measure(...)``, ``study.lint(...)``...; each lives in the module
named for what it shows, and is re-exported here so a cell never names the module:

- ``overview``: the project, its variants and where each came from, diffs, context sizes
- ``findings``: lint findings, by category, unpinned dependencies, FROM lines and digests
- ``measured``: builds and measurements (``Measured``) and the states read from them
- ``runtime``: does each variant still run: as it ships, smoke command, user, build tools, GPU
- ``image_security``: the security scan, its table and checklist
- ``platform_builds``: amd64 and arm64, built or judged from the Dockerfile
- ``plan``: the analysis's implementation plan, each item with its evidence
- ``summary_page``: the seed's expected results, verdicts, the history of runs
- ``text``: how text and paths are shown
"""

from __future__ import annotations

import pandas as pd

from helpers.study.findings import digest_table, findings_by_category, findings_table, lint, pin_table
from helpers.study.image_security import security, security_checklist, security_table
from helpers.study.measured import measure
from helpers.study.overview import context_sizes, diff, project_table, variant_sources
from helpers.study.plan import plan_checklist
from helpers.study.platform_builds import platforms
from helpers.study.runtime import build_tools_table, functionality, gpu_check, runtime_table
from helpers.study.summary_page import expected_results, history_frame, save_summary, verdicts

# Every DataFrame a notebook shows also carries its full data and column types (pandas' Table
# Schema output), from which the stakeholder page builds a table for people (helpers.report.tables).
pd.set_option("display.html.table_schema", True)

__all__ = [  # what the notebooks call, no more
    "build_tools_table", "context_sizes", "diff", "digest_table", "expected_results", "findings_by_category",
    "findings_table", "functionality", "gpu_check", "history_frame", "lint", "measure", "pin_table",
    "plan_checklist", "platforms", "project_table", "runtime_table", "save_summary", "security",
    "security_checklist", "security_table", "variant_sources", "verdicts",
]
