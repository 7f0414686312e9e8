"""A unified diff as a reviewer reads it: line numbers on both sides, additions and removals
coloured and marked (+/-, for readers who do not see the colour), each hunk labelled with the
finding codes it names (the derived Dockerfiles say which findings each change fixes)."""

from __future__ import annotations

import html
import re

HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@(.*)$")
CODES = re.compile(r"\b(DO\d{3}|DL\d{4}|SEC\d{3})\b")


def is_unified_diff(text: str) -> bool:
    return text.startswith("--- ") and "\n+++ " in text and "\n@@ " in text


def hunks(lines: list[str]) -> list[tuple[str, list[str]]]:
    out, current = [], None
    for line in lines:
        if line.startswith("@@"):
            current = (line, [])
            out.append(current)
        elif current is not None:
            current[1].append(line)
    return out


def diff_html(text: str) -> str:
    e = lambda s: html.escape(s, quote=True)
    lines = text.splitlines()
    before = lines[0][4:] if lines and lines[0].startswith("--- ") else ""
    after = lines[1][4:] if len(lines) > 1 and lines[1].startswith("+++ ") else ""
    rows = []
    for header, body in hunks(lines):
        match = HUNK.match(header)
        old, new = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        codes = sorted(set(CODES.findall("\n".join(body))))
        label = f"fixes {', '.join(codes)}" if codes else "no finding named"
        rows.append(f'<tr class="hunk"><td colspan="3">before line {old}, after line {new} · {e(label)}</td></tr>')
        for line in body:
            mark, content = (line[:1], line[1:]) if line else (" ", "")
            if mark == "+":
                rows.append(f'<tr class="add"><td class="ln"></td><td class="ln">{new}</td><td><span class="mark">+</span>{e(content)}</td></tr>')
                new += 1
            elif mark == "-":
                rows.append(f'<tr class="del"><td class="ln">{old}</td><td class="ln"></td><td><span class="mark">-</span>{e(content)}</td></tr>')
                old += 1
            else:
                rows.append(f'<tr><td class="ln">{old}</td><td class="ln">{new}</td><td><span class="mark"> </span>{e(content)}</td></tr>')
                old += 1
                new += 1
    return (f'<div class="table-wrap" tabindex="0" role="region" aria-label="table (scrolls sideways when wide)"><table class="diff"><caption>{e(before)} → {e(after)}</caption>'
            f'<thead><tr><th scope="col">before</th><th scope="col">after</th><th scope="col">line</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')
