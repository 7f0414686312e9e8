import pytest

from helpers.report.budgets import Budget, evaluate_all, report


@pytest.mark.parametrize("op, value, limit, state", [
    ("<=", 0.3, 0.5, "PASS"), ("<=", 0.6, 0.5, "FAIL"), (">=", 12.0, 10, "PASS"),
    (">=", 9.9, 10, "FAIL"), ("==", False, False, "PASS"), ("==", True, False, "FAIL"),
])
def test_evaluate(op, value, limit, state):
    assert Budget("k", op, limit, "why").evaluate(value).state == state


def test_unmeasured_is_skip_not_pass():
    result = Budget("k", "<=", 1, "why").evaluate(None)
    assert result.state == "SKIP" and result.passed is None


def test_report_names_value_limit_and_broken_budgets():
    budgets = [Budget("size_ratio", "<=", 0.5, "phase 3 at least 50% smaller"),
               Budget("speedup", ">=", 10, "rebuild 10x faster")]
    text = report(evaluate_all(budgets, {"size_ratio": 0.72, "speedup": 31.0}))
    assert "FAIL  size_ratio: 0.72 <= 0.5" in text
    assert "PASS  speedup: 31 >= 10" in text
    assert text.splitlines()[-1] == "budgets: 1 of 2 hold; broken: size_ratio"


def _measured(ran_steps_deps, ships_ok=True):
    import pandas as pd
    from types import SimpleNamespace

    timings = pd.DataFrame([
        {"variant": "phase2", "scenario": "deps", "status": "ok", "median_s": 16.0, "ran_steps": ran_steps_deps},
    ])
    runtime = {"phase2": {"actual_uid": 1000, "health": "healthy", "ships": {"ok": ships_ok, "state": "healthy"}}}
    return SimpleNamespace(timings=timings, runtime=runtime, images={"phase2": object()})


def _lint(*codes):
    from types import SimpleNamespace

    return SimpleNamespace(findings=[SimpleNamespace(code=c) for c in codes])


def test_phase2_budget_checks_cache_mounts_and_that_the_install_reran():
    from helpers.report import phase_budgets

    install = ["RUN --mount=type=cache,target=/root/.cache/pip pip install -c constraints.txt -r /tmp/deps.txt"]
    text = phase_budgets.phase2(_measured(install), _lint())
    assert text.splitlines()[-1] == "budgets: 7 of 7 hold"
    text = phase_budgets.phase2(_measured(["COPY pyproject.toml ./"]), _lint("DO401", "DO604"))
    assert "FAIL  phase2_cache_mount_findings: 1 == 0" in text
    assert "FAIL  phase2_deps_change_reinstalls: false == true" in text
    assert "FAIL  phase2_unpinned_findings: 1 == 0" in text


@pytest.mark.parametrize("op, value, limit, line", [
    ("<=", 1.0006, 1.0, "FAIL  k: 1.001 <= 1"),  # once "FAIL 1 <= 1": the rounded value was printed
    ("<=", 1.00004, 1, "FAIL  k: 1.00004 <= 1"),
    ("<=", 0.99996, 1.0, "PASS  k: 0.99996 <= 1"),
    ("<=", 1.0, 1.0, "PASS  k: 1 <= 1"),
    ("<=", 0.7234, 0.5, "FAIL  k: 0.723 <= 0.5"),
    (">=", 9.9996, 10, "FAIL  k: 9.9996 >= 10"),
])
def test_a_budget_compares_the_exact_value_and_never_prints_it_equal_to_a_limit_it_fails(op, value, limit, line):
    assert Budget("k", op, limit, "why").evaluate(value).line() == f"{line}  (why)"


def test_phase_ratios_are_not_rounded_before_the_comparison():
    from helpers.report import phase_budgets

    assert phase_budgets._ratio(1_000_600, 1_000_000) == pytest.approx(1.0006)
    assert Budget("r", "<=", 1.0, "").evaluate(phase_budgets._ratio(1_000_400, 1_000_000)).state == "FAIL"


def test_a_variant_that_does_not_start_as_it_ships_breaks_its_budget():
    from helpers.report import phase_budgets

    install = ["RUN --mount=type=cache,target=/root/.cache/pip pip install -r /tmp/deps.txt"]
    text = phase_budgets.phase2(_measured(install, ships_ok=False), _lint())
    assert "FAIL  phase2_starts: false == true" in text
    assert text.splitlines()[-1] == "budgets: 6 of 7 hold; broken: phase2_starts"


def test_report_lines_read_back_as_checks():
    from helpers.report.budgets import Budget, evaluate_all, parse_report, report

    budgets = [Budget("size_ratio", "<=", 0.5, "at least half (size ratio)"), Budget("uid", ">", 0, "non-root")]
    checks, verdict = parse_report(report(evaluate_all(budgets, {"size_ratio": 0.75})))
    assert [(c["state"], c["key"], c["value"], c["op"], c["limit"], c["what"]) for c in checks] == [
        ("FAIL", "size_ratio", "0.75", "<=", "0.5", "at least half (size ratio)"),
        ("SKIP", "uid", "not measured", ">", "0", "non-root")]
    assert verdict.startswith("budgets: ")
