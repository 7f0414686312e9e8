"""The nbval suite fails when the optimized variant regresses: proof that it can fail.

A copy of the summary reference notebook gets one injected parameter, a phase-3 Dockerfile
that lost its multi-stage split (the single-stage original), and is run through nbval.
"""

import subprocess
import sys

import nbformat
import pytest

from helpers.paths import ROOT, SAMPLE_DOCKERFILE

pytestmark = pytest.mark.engine


def test_summary_budget_catches_a_lost_multistage_split(tmp_path, sample_report):
    reference = ROOT / "tests" / "notebooks" / "04-summary.ipynb"
    nb = nbformat.read(reference, as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace('phase3_dockerfile: str = ""', f'phase3_dockerfile: str = "{SAMPLE_DOCKERFILE}"')
    assert str(SAMPLE_DOCKERFILE) in params.source
    injected = tmp_path / "04-summary-regressed.ipynb"
    nbformat.write(nb, injected)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-vv", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(ROOT / "tests" / "notebooks" / "sanitize.cfg"), str(injected)],
        cwd=tmp_path, capture_output=True, text=True, timeout=3600)
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert "FAIL  size_ratio" in proc.stdout and "FAIL  build_tools" in proc.stdout, proc.stdout[-3000:]
