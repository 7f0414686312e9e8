"""The rendered sample report, made once per session; artifacts kept in tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.paths import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def sample_report(docker_client):
    """`dockopt report` for the sample into tests/artifacts/sample-report (measurements come
    from the history file, filled by the notebook tests that run before this folder)."""
    from helpers.report.run import ReportParams, render_report
    from helpers.paths import SAMPLE_CONTEXT, SAMPLE_DOCKERFILE

    out = ARTIFACTS / "sample-report"
    params = ReportParams(context=str(SAMPLE_CONTEXT), dockerfile=str(SAMPLE_DOCKERFILE), name="snsw (sample)")
    result = render_report(params, out, progress=False)
    assert result.ok, [item.error for item in result.executed if not item.ok]
    return result


@pytest.fixture(scope="session")
def screenshots() -> Path:
    return ARTIFACTS / "screenshots"
