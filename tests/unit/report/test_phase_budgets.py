"""Every phase budget can fail and can pass: none is a line that always says PASS.

(An earlier baseline budget, ``lint_findings >= 0``, could never fail.) Two made-up pages are
enough to break every budget (one where every variant built and everything is wrong, one where
nothing built) and one passes them all; a new budget that neither breaks shows up here.
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from helpers.report import phase_budgets
from helpers.report.budgets import parse_report

VARIANTS = ("original", "phase1", "phase2", "phase3")


def _measured(good: bool, built: bool = True):
    size = {"original": 1000, "phase1": 400 if good else 2000, "phase2": 400 if good else 2000,
            "phase3": 300 if good else 2000}
    images = {v: SimpleNamespace(build_tools=SimpleNamespace(binaries=[] if good and v != "original" else ["gcc"]),
                                 sizes=SimpleNamespace(uncompressed_bytes=size[v])) for v in VARIANTS} if built else {}
    runtime = {v: {"ships": {"ok": good, "state": "running"}, "smoke": {"ok": good},
                   "actual_uid": 1000 if good and v != "original" else 0,
                   "health": "healthy" if good else "unhealthy"} for v in VARIANTS} if built else {}
    install = "RUN pip install -r requirements.txt"
    timings = pd.DataFrame([
        {"variant": "phase1", "scenario": "code", "status": "ok", "ran_steps": ["COPY app.py ."] if good else [install]},
        {"variant": "phase2", "scenario": "deps", "status": "ok", "ran_steps": [install] if good else ["COPY app.py ."]},
    ])
    medians = {("original", "code"): 30.0, ("phase3", "code"): 0.5 if good else 30.0}
    return SimpleNamespace(images=images, runtime=runtime, timings=timings,
                           median=lambda variant, scenario: medians.get((variant, scenario)))


def _lint(good: bool):
    findings = [] if good else [SimpleNamespace(code=c, severity="warning") for c in ("DO302", "DO401", "DO604", "DO605")]
    return SimpleNamespace(findings=findings, at_or_above=lambda severity: findings)


def _contexts(good: bool):
    return pd.DataFrame([{"variant": "original", "bytes": 1000}, {"variant": "phase1", "bytes": 10 if good else 5000}])


def _pages(good: bool, built: bool = True):
    measured, lint = _measured(good, built), _lint(good)
    return {
        "baseline": phase_budgets.baseline(lint, measured),
        "phase1": phase_budgets.phase1(measured, _contexts(good)),
        "phase2": phase_budgets.phase2(measured, lint),
        "phase3": phase_budgets.phase3(measured, lint),
        "summary": phase_budgets.summary(measured, lint),
    }


BUDGETS = {"baseline": phase_budgets.BASELINE, "phase1": phase_budgets.PHASE1, "phase2": phase_budgets.PHASE2,
           "phase3": phase_budgets.PHASE3, "summary": phase_budgets.SUMMARY}


def _states(text: str) -> dict[str, str]:
    checks, _ = parse_report(text)
    return {c["key"]: c["state"] for c in checks}


@pytest.mark.parametrize("page", sorted(BUDGETS))
def test_every_budget_of_the_page_can_fail(page):
    broken = set()
    for good, built in ((False, True), (False, False)):
        broken |= {k for k, state in _states(_pages(good, built)[page]).items() if state == "FAIL"}
    assert broken == {b.key for b in BUDGETS[page]}


@pytest.mark.parametrize("page", sorted(BUDGETS))
def test_every_budget_of_the_page_can_pass(page):
    states = _states(_pages(good=True)[page])
    assert states == {b.key: "PASS" for b in BUDGETS[page]}
