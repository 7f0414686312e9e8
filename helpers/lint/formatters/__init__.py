"""One module per output format; ``render(result, name)`` picks one by the CLI's --format name."""

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
        from helpers.lint.formatters.table import to_table

        return to_table(result)
    raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
