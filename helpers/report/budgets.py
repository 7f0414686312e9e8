"""Budgets: what must hold for a variant, as small objects that say value and limit.

Like dive's CI rules, a budget has a key, a limit and ``evaluate()``; its message gives the
measured value, the comparison and the limit, so a failure explains itself. The notebooks'
closing cells print these lines (nbval compares them, the value masked by the sanitize file)
and the stakeholder page reads them back (``parse_report``) into its table of checks. No
command exits non-zero on a broken budget yet: the page and its verdict line say it.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

COMPARATORS = {"<=": operator.le, ">=": operator.ge, "==": operator.eq, "<": operator.lt, ">": operator.gt}


@dataclass(frozen=True)
class Budget:
    key: str
    op: str
    limit: float | int | bool | str
    description: str

    def evaluate(self, value) -> "BudgetResult":
        if value is None:
            return BudgetResult(self, None, None, "not measured")
        passed = bool(COMPARATORS[self.op](value, self.limit))
        return BudgetResult(self, value, passed, "")


@dataclass(frozen=True)
class BudgetResult:
    budget: Budget
    value: object
    passed: bool | None
    note: str

    @property
    def state(self) -> str:
        return {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]

    def line(self) -> str:
        b = self.budget
        shown = fmt_against(self.value, b.limit) if self.value is not None else self.note
        return f"{self.state}  {b.key}: {shown} {b.op} {fmt(b.limit)}  ({b.description})"


def fmt(value, digits: int = 3) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def fmt_against(value, limit) -> str:
    """``value`` as printed next to ``limit``: 3 significant digits, more when those would print a
    value that differs from the limit as the limit itself (never ``FAIL 1 <= 1``)."""
    digits = 3
    while digits < 17 and value != limit and fmt(value, digits) == fmt(limit, digits) and isinstance(value, float):
        digits += 1
    return fmt(value, digits)


def evaluate_all(budgets: list[Budget], values: dict) -> list[BudgetResult]:
    return [b.evaluate(values.get(b.key)) for b in budgets]


def report(results: list[BudgetResult]) -> str:
    """The text a budget cell prints: one line per budget, then a verdict line."""
    failed = [r for r in results if r.passed is False]
    lines = [r.line() for r in results]
    lines.append(f"budgets: {len(results) - len(failed)} of {len(results)} hold" + (
        f"; broken: {', '.join(r.budget.key for r in failed)}" if failed else ""))
    return "\n".join(lines)


LINE = re.compile(r"^(?P<state>PASS|FAIL|SKIP)  (?P<key>\w+): (?P<value>.*?) (?P<op><=|>=|==|<|>) "
                  r"(?P<limit>\S+)  \((?P<what>.*)\)$")


def parse_report(text: str) -> tuple[list[dict], str]:
    """``report()``'s text read back into checks (the stakeholder page's table) and its verdict line.

    The text is what the engineer notebook prints and nbval compares, so the page is built from
    exactly what was checked; lines that are not budget lines are ignored.
    """
    checks, verdict = [], ""
    for line in text.splitlines():
        match = LINE.match(line.rstrip())
        if match:
            checks.append(match.groupdict())
        elif line.startswith("budgets: "):
            verdict = line
    return checks, verdict
