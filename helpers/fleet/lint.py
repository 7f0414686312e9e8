"""Static findings per project, for the fleet index (and alone, for ``--lint-only``).

Today this calls ``helpers.lint.lint_dockerfile`` once per project, in threads (each call runs
one hadolint process, so threads use the cores). The batch API of ``dockopt lint PATH...``
(one hadolint start per batch) replaces the loop when it lands.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from helpers.lint import lint_dockerfile
from helpers.lint.finding import SEVERITIES


@dataclass
class ProjectFindings:
    findings: list = field(default_factory=list)  # helpers.lint.Finding values
    error: str = ""
    seconds: float = 0.0

    def by_category(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.category] = counts.get(finding.category, 0) + 1
        return counts

    def by_severity(self) -> dict[str, int]:
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}


def lint_project(spec) -> ProjectFindings:
    from helpers.errors import DockoptError

    start = time.perf_counter()
    try:
        result = lint_dockerfile(spec.dockerfile, context=spec.context, build_args=spec.build_args or None)
    except DockoptError as exc:
        return ProjectFindings(error=exc.message, seconds=time.perf_counter() - start)
    return ProjectFindings(list(result.findings), seconds=time.perf_counter() - start)


def lint_projects(specs: list, jobs: int | None = None) -> dict[str, ProjectFindings]:
    """slug -> findings, every project linted (in parallel across the cores)."""
    jobs = jobs or max(1, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        found = list(pool.map(lint_project, specs))
    return {spec.slug: result for spec, result in zip(specs, found)}

