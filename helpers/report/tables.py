"""Tables for people: a notebook's tidy DataFrame as the HTML a stakeholder reads.

The kernel shows every DataFrame with pandas' Table Schema output too (``display.html.table_schema``,
set by ``helpers.study``), so the rendered notebook carries each table's full data and column
types. The stakeholder page builds its table from that: no index column, units in the headers,
numbers as people write them (1,524 MB, 73.2 s, 128x), full text that wraps, severities and verdicts
as badges, long tables sortable. Engineer pages keep pandas' own HTML.

Every value is escaped: cells hold text from the user's Dockerfile, file names and build logs.
"""

from __future__ import annotations

import html
import math
import re

TABLE_SCHEMA = "application/vnd.dataresource+json"
SORTABLE_FROM = 10  # rows: a table this long gets clickable column headers

# Column name -> (header shown, how its numbers read). Names not listed keep their name.
BYTES = "bytes"
SECONDS = "seconds"
MEGABYTES = "megabytes"
INTEGER = "integer"
COLUMNS = {
    "bytes": ("size (MB)", BYTES),
    "all_bytes": ("all files (MB)", BYTES),
    "size_bytes": ("size (MB)", BYTES),
    "MB": ("size (MB)", MEGABYTES),
    "median_s": ("median (s)", SECONDS),
    "min_s": ("fastest (s)", SECONDS),
    "max_s": ("slowest (s)", SECONDS),
    "median": ("median (s)", SECONDS),
    "min": ("fastest (s)", SECONDS),
    "max": ("slowest (s)", SECONDS),
    "seconds": ("time (s)", SECONDS),
    "ran_steps": ("steps that ran", None),
    "line": ("line", INTEGER),
    "layer": ("layer", INTEGER),
    "uid (running)": ("uid (running)", INTEGER),
    "uid of the running process": ("uid of the running process", INTEGER),
    "phase": ("phase", INTEGER),
    "files": ("files", INTEGER),
}
BADGES = {  # column (lower case) -> {value (lower case) -> badge class}
    "severity": {"error": "bad", "critical": "bad", "high": "bad", "warning": "warn", "medium": "warn",
                 "info": "info", "low": "info", "style": "neutral"},
    "verdict": {"met": "good", "partly": "warn", "missed": "bad", "not measured": "neutral"},
    "verified": {"yes": "good", "no": "bad", "not measured": "neutral"},
    "state": {"pass": "good", "fail": "bad", "skip": "neutral"},
    "held": {"yes": "good", "no": "bad", "not measured": "neutral"},
    "status": {"ok": "good", "failed": "bad"},
    "smoke": {"passed": "good", "failed": "bad"},
    "starts as it ships": {"starts": "good", "broken": "bad"},
    "passed": {"yes": "good", "no": "bad"},
    "pinned by digest": {"yes": "good", "no": "bad"},
}
MULTILINE = re.compile(r"\n")
LONG_TEXT = 40  # characters: a cell this long may break inside a word (digests, paths); shorter ones never do
UNNAMED = "item"  # the header of a column without a name (a two-column "what / value" table)


def e(value) -> str:
    return html.escape(str(value), quote=True)


def number(value: float) -> str:
    """Three significant digits, thousands separated: 1,524 · 73.2 · 3.21 · 0.24."""
    if value == 0:
        return "0"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.2g}" if size >= 0.01 else f"{value:.1g}"


def megabytes(n_bytes: float) -> str:
    return f"{number(n_bytes / 1_000_000)} MB"


def seconds(value: float) -> str:
    return f"{number(value)} s"


def change(before: float, after: float, show) -> str:
    """'31.2 s → 0.24 s' as a reader writes a before/after."""
    return f"{show(before)} → {show(after)}"


def factor(before: float, after: float) -> str:
    """How many times smaller or faster: 128x, 4.2x; '' when it cannot be said."""
    if not before or not after:
        return ""
    ratio = before / after
    return f"{number(ratio)}x" if ratio >= 1 else f"{number(1 / ratio)}x slower"


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def cell(column: str, value, kind: str | None, field_type: str) -> str:
    """One value as text a person reads (not yet escaped)."""
    if missing(value):
        return "–"
    if isinstance(value, bool) or field_type == "boolean":
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        if kind == BYTES:
            return number(value / 1_000_000)
        if kind in (SECONDS, MEGABYTES):
            return number(float(value))
        if kind == INTEGER or (isinstance(value, float) and value.is_integer() and field_type == "integer"):
            return str(int(value))
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else number(value)
        return str(value)
    if field_type == "datetime":
        return str(value).replace("T", " ")[:16]
    return str(value)


def badge(column: str, text: str) -> str:
    classes = BADGES.get(column.strip().lower())
    if not classes:
        return ""
    key = text.strip().lower()
    for value, css in classes.items():
        if key == value or key.startswith((value + " ", value + ":")):
            return css
    return ""


def people_table(resource: dict, table_id: str = "", caption: str = "") -> str:
    """HTML for a Table Schema resource (pandas' ``to_json(orient="table")``), index dropped."""
    schema = resource.get("schema", {})
    index = set(schema.get("primaryKey") or [])
    fields = [f for f in schema.get("fields", []) if f["name"] not in index and not f["name"].startswith("level_")]
    rows = resource.get("data", [])
    head = []
    numeric = {}
    for f in fields:
        header, kind = COLUMNS.get(f["name"], (f["name"] or UNNAMED, None))
        numeric[f["name"]] = f.get("type") in ("number", "integer") and kind != INTEGER
        head.append(f'<th scope="col"{" class=num" if numeric[f["name"]] else ""}>{e(header)}</th>')
    body = []
    for row in rows:
        tds = []
        for f in fields:
            name = f["name"]
            kind = COLUMNS.get(name, (name, None))[1]
            text = cell(name, row.get(name), kind, f.get("type", ""))
            css = badge(name, text)
            shown = f'<span class="badge badge-{css}">{e(text)}</span>' if css else e(text)
            classes = " ".join(c for c in ("num" if numeric[name] else "", "pre" if MULTILINE.search(text) else "",
                                           "long" if len(text) > LONG_TEXT else "") if c)
            sort_key = row.get(name)
            data_sort = f' data-sort="{e(sort_key)}"' if numeric[name] and not missing(sort_key) else ""
            tds.append(f'<td{f" class={chr(34)}{classes}{chr(34)}" if classes else ""}{data_sort}>{shown}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    sortable = len(rows) >= SORTABLE_FROM
    attrs = (f' id="{e(table_id)}"' if table_id else "") + f' class="people{" sortable" if sortable else ""}"'
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    if not rows:
        return f'<p class="empty">{e(caption or "Nothing to list.")}</p>'
    return (f'<div class="table-wrap" tabindex="0" role="region" aria-label="table (scrolls sideways when wide)"><table{attrs}>{cap}<thead><tr>{"".join(head)}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def budget_table(text: str, table_id: str = "") -> str:
    """The budget cell's printed lines as a headline and a table of checks (what, value, limit, held)."""
    from helpers.report.budgets import parse_report

    checks, _ = parse_report(text)
    if not checks:
        return f"<pre>{e(text)}</pre>"
    failed = [c for c in checks if c["state"] == "FAIL"]
    skipped = [c for c in checks if c["state"] == "SKIP"]
    if failed:
        title = f"{len(failed)} of {len(checks)} checks fail"
        css = "bad"
    elif skipped:
        title = f"{len(checks) - len(skipped)} of {len(checks)} checks hold, {len(skipped)} not measured"
        css = "warn"
    else:
        title = f"All {len(checks)} checks hold"
        css = "good"
    rows = "".join(
        f'<tr><td>{e(c["what"])}</td><td class="num">{e(_budget_value(c["value"]))}</td>'
        f'<td class="num">{e(OPS.get(c["op"], c["op"]))}{e(_budget_value(c["limit"]))}</td>'
        f'<td><span class="badge badge-{ {"PASS": "good", "FAIL": "bad"}.get(c["state"], "neutral")}">'
        f'{ {"PASS": "yes", "FAIL": "no"}.get(c["state"], "not measured")}</span></td></tr>' for c in checks)
    return (f'<div class="budget"{f" id={chr(34)}{e(table_id)}{chr(34)}" if table_id else ""}>'
            f'<p class="headline badge-{css}">{e(title)}</p><div class="table-wrap" tabindex="0" role="region" aria-label="table (scrolls sideways when wide)"><table class="people">'
            f'<thead><tr><th scope="col">what</th><th scope="col" class="num">value</th>'
            f'<th scope="col" class="num">limit</th><th scope="col">held</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div></div>")


OPS = {"<=": "at most ", ">=": "at least ", "==": "", "<": "below ", ">": "above "}


def _budget_value(text: str) -> str:
    return {"true": "yes", "false": "no"}.get(text, text)
