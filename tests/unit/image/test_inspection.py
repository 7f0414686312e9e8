"""The measurement API notebooks and the CLI call (``helpers.image.inspection``), as far as it
needs no engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_summary_needs_no_pandas(tiny_tar):
    """`dockopt inspect` stays light: pandas (about 60 MB) loads only when a DataFrame is asked for."""
    code = ("import sys, json; from helpers.image.inspection import measure_archive; "
            f"r = measure_archive({str(tiny_tar)!r}, compressed=False); json.dumps(r.summary(), default=str); "
            "assert 'pandas' not in sys.modules, 'pandas imported'; r.layers; assert 'pandas' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])
