"""The notebooks call ``study.<name>``: the package exports exactly those names, whichever module holds each."""

from __future__ import annotations

import re

from helpers import study
from helpers.paths import ROOT

CALLS = re.compile(r"\bstudy\.([A-Za-z_]\w*)")


def notebook_calls() -> set[str]:
    return {name for path in (ROOT / "notebooks").glob("*.ipynb") for name in CALLS.findall(path.read_text())}


def test_every_name_a_notebook_calls_is_exported_and_nothing_else():
    calls = notebook_calls()
    assert "measure" in calls and "plan_checklist" in calls  # the notebooks were read
    assert sorted(study.__all__) == sorted(calls)
    assert all(callable(getattr(study, name)) for name in calls)
