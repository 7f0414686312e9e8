"""What every rule module provides, and the one way a rule makes a Finding.

A rule is a module with CODE, SEVERITY, CATEGORY, TITLE (what it checks), WHY, FIX and
``check(model, context) -> iterable of Finding``. Modules rather than classes keep each rule
a small file that reads top to bottom, like hadolint's.
"""

from __future__ import annotations

import sys
from types import ModuleType

from helpers.dockerfile.model import Dockerfile
from helpers.lint.finding import CATEGORIES, SEVERITIES, Finding

REQUIRED = ("CODE", "SEVERITY", "CATEGORY", "TITLE", "WHY", "FIX", "check")


def validate(rule: ModuleType) -> None:
    """Fail at import of the registry, not mid-lint, when a rule module is incomplete."""
    missing = [name for name in REQUIRED if not hasattr(rule, name)]
    if missing:
        raise TypeError(f"rule {rule.__name__} lacks {', '.join(missing)}")
    if rule.SEVERITY not in SEVERITIES or rule.CATEGORY not in CATEGORIES:
        raise TypeError(f"rule {rule.__name__}: bad SEVERITY {rule.SEVERITY!r} or CATEGORY {rule.CATEGORY!r}")


def found(rule: ModuleType | str, model: Dockerfile, line: int | None, detail: str, column: int = 1) -> Finding:
    """A Finding of ``rule`` (a module or its ``__name__``) at ``line``; ``detail`` says what was seen there."""
    rule = sys.modules[rule] if isinstance(rule, str) else rule
    return Finding(code=rule.CODE, severity=rule.SEVERITY, category=rule.CATEGORY,
                   message=f"{rule.TITLE}: {detail}" if detail else rule.TITLE,
                   file=model.display_name, line=line, column=column, fix=rule.FIX)
