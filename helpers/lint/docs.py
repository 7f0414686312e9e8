"""docs/RULES.md, generated from the rule modules so the table cannot drift from the code.

Regenerate with ``python -m helpers.lint.docs``; a unit test fails when the committed file is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from helpers.lint.finding import CATEGORIES
from helpers.lint.hadolint import SAME_AS, SEVERITY
from helpers.paths import ROOT
from helpers.lint.registry import RULES

RULES_DOC = ROOT / "docs" / "RULES.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown() -> str:
    twins: dict[str, list[str]] = {}
    for theirs, ours in SAME_AS.items():
        for code in ours:
            twins.setdefault(code, []).append(theirs)
    lines = [
        "# dockopt lint rules",
        "",
        "Generated from `helpers/lint/rules/` by `python -m helpers.lint.docs`; do not edit by hand.",
        "Codes are grouped by the seed analysis section they come from (DO1xx = current issue 1, ...).",
        "Silence one on the next instruction with `# dockopt ignore=CODE`, everywhere with",
        "`# dockopt global ignore=CODE`, or per project in `[tool.dockopt.lint]` (see `helpers/lint/config.py`).",
        "",
        "| code | severity | category | what | why | fix | same as (hadolint) |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in sorted(RULES, key=lambda r: (list(CATEGORIES).index(r.CATEGORY), r.CODE)):
        lines.append(f"| {rule.CODE} | {rule.SEVERITY} | {rule.CATEGORY} | {_cell(rule.TITLE)} | {_cell(rule.WHY)} "
                     f"| {_cell(rule.FIX)} | {', '.join(sorted(twins.get(rule.CODE, []))) or '-'} |")
    lines += ["", "## hadolint", "",
              "hadolint runs as a second source. Its findings on the same line as a dockopt rule listed above",
              "are merged into that finding (both codes cited); where that dockopt rule ran and found the",
              "instruction clean (it knows stages, cache mounts, constraints files), hadolint's finding is",
              "overruled (listed as `overruled` in the JSON, not reported); the rest are reported under their",
              "DL/SC code.",
              "Severities dockopt changes by default:", ""]
    lines += [f"- {code}: {level}" for code, level in sorted(SEVERITY.items())]
    return "\n".join(lines) + "\n"


def write_rules_doc(path: Path = RULES_DOC) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(rules_markdown(), encoding="utf-8")
    return path


if __name__ == "__main__":
    sys.stdout.write(f"wrote {write_rules_doc()}\n")
