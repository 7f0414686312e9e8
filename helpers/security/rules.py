"""Every rule an image scan can report: the checks' and the OS package exposure's, in report order.

Its own module because both the scan (which runs them) and the score's generated document (which
lists them) read it: kept in ``scan``, the score and the scan would import each other.
"""

from __future__ import annotations

from helpers.security import os_fixes
from helpers.security.checks import CHECKS
from helpers.security.finding import Rule


def all_rules() -> list[Rule]:
    return [rule for module in [*CHECKS, os_fixes] for rule in module.RULES]
