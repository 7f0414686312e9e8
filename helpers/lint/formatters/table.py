"""Findings as a terminal table, most severe first within each line, with a summary line."""

from __future__ import annotations

import shutil
import textwrap
from collections import Counter

from helpers.lint.finding import SEVERITIES


def to_table(result, width: int | None = None) -> str:
    width = width or shutil.get_terminal_size((120, 20)).columns
    rows = [(str(f.line) if f.line else "-", f.severity, "+".join(f.sources), f.message, f.fix)
            for f in result.findings]
    head = ("LINE", "SEVERITY", "CODE", "MESSAGE")
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) if rows else len(head[i]) for i in range(3)]
    message_width = max(30, width - sum(widths) - 6)
    lines = [f"{result.dockerfile}", "  ".join(h.ljust(w) for h, w in zip(head, widths + [0])).rstrip()]
    for row in rows:
        prefix = "  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths))
        wrapped = textwrap.wrap(row[3], message_width) or [""]
        if row[4]:
            wrapped += textwrap.wrap("fix: " + row[4], message_width)
        lines.append(f"{prefix}  {wrapped[0]}")
        lines += [" " * (len(prefix) + 2) + more for more in wrapped[1:]]
    counts = Counter(f.severity for f in result.findings)
    summary = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "no findings"
    extra = f"; {len(result.suppressed)} suppressed by pragma" if result.suppressed else ""
    if result.overruled:
        extra += f"; {len(result.overruled)} hadolint finding(s) overruled"
    peer = ""
    if result.hadolint is not None:
        peer = f"; hadolint {result.hadolint.version}" if not result.hadolint.error else f"; {result.hadolint.error}"
    lines.append(f"{summary}{extra}{peer}")
    return "\n".join(lines)


def to_batch_table(batch, width: int | None = None, findings: bool = True) -> str:
    """Each file's findings (as for one file), then one row per file, then the totals."""
    blocks = [to_table(result, width) for result in batch.results if result.findings] if findings else []
    rows = []
    for result in batch.results:
        counts = Counter(f.severity for f in result.findings)
        target = batch.targets.get(result.dockerfile)
        ignore = target.ignore_file if target else None
        rows.append((str(result.dockerfile), *(str(counts[s]) for s in SEVERITIES),
                     str(result.context or "-"), ignore.name if ignore else "none"))
    rows += [(str(e.dockerfile), "-", "-", "-", "-", "could not lint", e.message) for e in batch.errors]
    head = ("FILE", "ERROR", "WARNING", "INFO", "STYLE", "CONTEXT", "IGNORE FILE")
    widths = [max(len(head[i]), *(len(r[i]) for r in rows)) if rows else len(head[i]) for i in range(len(head) - 1)]
    table = ["  ".join(h.ljust(w) for h, w in zip(head, widths + [0])).rstrip()]
    table += ["  ".join(c.ljust(w) for c, w in zip(row, widths + [0])).rstrip() for row in rows]
    return "\n\n".join([*blocks, "\n".join(table), batch.summary()])
