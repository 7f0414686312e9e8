import pytest

from helpers.budgets import Budget, evaluate_all, report


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
