"""One module per output format; ``render(result, name)`` picks one by the CLI's --format name.

``result`` is a LintResult (one file, the format dockopt has always printed) or a LintBatch
(many files: one document, one SARIF run, and a per-file table).
"""

from __future__ import annotations

FORMATS = ("table", "json", "sarif")


def render(result, name: str) -> str:
    if name == "json":
        from helpers.lint.formatters.json_report import to_json

        return to_json(result)
    if name == "sarif":
        from helpers.lint.formatters.sarif import to_sarif_text

        return to_sarif_text(result)
    if name == "table":
        from helpers.lint.formatters.table import to_batch_table, to_table

        return to_batch_table(result) if hasattr(result, "results") else to_table(result)
    raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
