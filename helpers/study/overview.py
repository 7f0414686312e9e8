"""The top of every page: the project measured, its variants and where each came from, their diffs and contexts."""

from __future__ import annotations

import shlex

import pandas as pd

from helpers.builds.context import scan_context
from helpers.engine import connect
from helpers.project import Project
from helpers.study.text import Text, shown_path

PHASE_NAMES = ("phase1", "phase2", "phase3")


def project_table(project: Project) -> pd.DataFrame:
    info = connect.describe()
    rows = [("project", project.name), ("context", str(project.context)), ("Dockerfile", str(project.dockerfile)),
            ("code-change file", project.code_file or "none found"),
            ("dependency manifest", project.dependency_file or "none found"),
            ("smoke command", shlex.join(project.smoke) if project.smoke else "none (exit code of the image's command only)"),
            ("engine", f"Docker {info.engine_version} (API {info.api_version}, {info.storage_driver}), {info.cpus} CPUs"),
            ("history", str(project.history)), ("run id", project.run_id)]
    return pd.DataFrame(rows, columns=["", "value"])


def variant_sources(project: Project) -> pd.DataFrame:
    return pd.DataFrame([{"variant": v, "Dockerfile": shown_path(project.dockerfile_for(v)),
                          "source": project.variant_source.get(v, "")} for v in ("original",) + PHASE_NAMES])


def diff(project: Project, before: str, after: str):
    """The unified diff between two variants' Dockerfiles, as text (shown escaped in HTML)."""
    import difflib

    from IPython.display import Markdown

    a, b = project.dockerfile_for(before), project.dockerfile_for(after)
    if a is None or b is None:
        missing = before if a is None else after
        return Markdown(f"skipped: no {missing} Dockerfile ({project.variant_source.get(missing, 'not given')})")
    lines = difflib.unified_diff(a.read_text().splitlines(), b.read_text().splitlines(),
                                 fromfile=f"{before}: {a.name}", tofile=f"{after}: {b.name}", lineterm="")
    return Text("\n".join(lines) or "(identical)")


def context_sizes(project: Project, variants=("original", "phase1")) -> pd.DataFrame:
    rows = []
    for variant in project.available(variants):
        scan = scan_context(project.context_for(variant), project.dockerfile_for(variant),
                            exclude=project.not_sent(variant))
        rows.append({"label": f"{variant} ({'no ignore file' if scan.ignore_file is None else scan.ignore_file.name})",
                     "variant": variant, "bytes": scan.sent_bytes, "files": len(scan.sent),
                     "all_bytes": scan.total_bytes})
    return pd.DataFrame(rows)
