"""``# dockopt ignore=CODE[,CODE]`` comments: silence findings on the next instruction.

Applied after every rule (and hadolint) has run, so a rule never needs to know about them,
as in hadolint. ``# dockopt global ignore=CODE`` silences a code in the whole file, including
findings about the context that have no line (DO601).
"""

from __future__ import annotations

import re

from helpers.dockerfile.model import Dockerfile
from helpers.lint.finding import Finding

PRAGMA = re.compile(r"^#\s*dockopt\s+(global\s+)?ignore\s*=\s*([A-Za-z0-9_,\s]+)$", re.IGNORECASE)


def parse_pragmas(model: Dockerfile) -> tuple[set[str], dict[int, set[str]]]:
    """(codes ignored everywhere, {instruction start line: codes ignored there})."""
    file_wide: set[str] = set()
    by_line: dict[int, set[str]] = {}
    starts = sorted(i.start_line for i in model.instructions)
    for line, text in model.comments:
        match = PRAGMA.match(text)
        if not match:
            continue
        codes = {c.strip().upper() for c in match.group(2).split(",") if c.strip()}
        if match.group(1):
            file_wide |= codes
            continue
        target = next((start for start in starts if start > line), None)
        if target is not None:
            by_line.setdefault(target, set()).update(codes)
    return file_wide, by_line


def apply_pragmas(model: Dockerfile, findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(kept, suppressed). A merged finding is suppressed if any code it cites is ignored."""
    file_wide, by_line = parse_pragmas(model)
    starts = {line: i.start_line for i in model.instructions for line in range(i.start_line, i.end_line + 1)}
    kept, suppressed = [], []
    for finding in findings:
        ignored = file_wide | by_line.get(starts.get(finding.line, finding.line), set())
        (suppressed if ignored & set(finding.sources) else kept).append(finding)
    return kept, suppressed
