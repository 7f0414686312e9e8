"""index.html: what the report found, at a glance, linking every phase in both flavours.

Every string that can come from a user's project (names, paths, error text) is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:72rem;color:#1f2933;padding:0 1rem}
h1{margin-bottom:.2rem} .meta{color:#52606d;margin-top:0}
table{border-collapse:collapse;margin:1rem 0;width:100%} th,td{border-bottom:1px solid #d9e2ec;padding:.45rem .6rem;text-align:left;vertical-align:top}
th{background:#f0f4f8} .ok{color:#1f7a3a;font-weight:600} .fail{color:#b42318;font-weight:600}
.verdict-met{color:#1f7a3a;font-weight:600} .verdict-missed{color:#b42318;font-weight:600} .verdict-partly{color:#b7791f;font-weight:600}
code{background:#f0f4f8;padding:0 .25rem;border-radius:3px}
"""


def e(value) -> str:
    return html.escape(str(value), quote=True)


def phase_rows(executed) -> str:
    rows = []
    for item in executed:
        status = '<span class="ok">rendered</span>' if item.ok else f'<span class="fail">failed: {e(item.error)}</span>'
        rows.append(
            f"<tr><td>{e(item.phase.title)}</td><td>{e(item.phase.question)}</td>"
            f'<td><a href="{e(item.phase.stem)}.html">report</a> · <a href="{e(item.phase.stem)}.code.html">with code</a>'
            f' · <a href="executed/{e(item.phase.stem)}.ipynb">notebook</a></td>'
            f"<td>{status}</td><td>{item.seconds:.0f} s</td></tr>")
    return "\n".join(rows)


def frame_table(frame: pd.DataFrame | None) -> str:
    if frame is None or frame.empty:
        return "<p>No summary yet: the summary notebook did not run or measured nothing.</p>"
    from helpers.summary import basis_note

    body = frame.to_html(index=False, escape=True, border=0, na_rep="–")
    for verdict in ("met", "missed", "partly"):
        body = body.replace(f"<td>{verdict}</td>", f'<td class="verdict-{verdict}">{verdict}</td>')
    note = basis_note(frame)
    return body + (f'\n<p class="meta">{e(note)}</p>' if note else "")


def split_block(split: list[dict] | None) -> str:
    """Where this render's wall time went (helpers.render_split), measured, as the page's last block."""
    if not split:
        return ""
    rows = "\n".join(f"<tr><td>{e(r['category'])}</td><td>{r['seconds']:.1f} s</td><td>{e(r['share'])}</td></tr>"
                     for r in split)
    return f"""<h2>Where this render's time went</h2>
<table><thead><tr><th>work</th><th>wall time</th><th>share</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p class="meta">Measured by the code doing each kind of work and recorded in the history file for this render
(a block inside another counts once, as the inner kind). Builds: docker build running; runtime checks:
containers started to check images; everything else is overhead. Results reused from the history file
cost no build time, so a re-render is mostly overhead.</p>
"""


def write_index(out_dir: Path, project: str, dockerfile: str, executed, summary: pd.DataFrame | None,
                engine: str = "", split: list[dict] | None = None) -> Path:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dockopt report: {e(project)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body>
<h1>Dockerfile optimization report</h1>
<p class="meta">Project <code>{e(project)}</code> · Dockerfile <code>{e(dockerfile)}</code> · {e(now)}{' · ' + e(engine) if engine else ''}</p>
<h2>Expected results, measured</h2>
{frame_table(summary)}
<h2>Phases</h2>
<table><thead><tr><th>phase</th><th>question</th><th>open</th><th>status</th><th>took</th></tr></thead>
<tbody>
{phase_rows(executed)}
</tbody></table>
<p class="meta">Charts are interactive and work offline; this folder is self-contained and can be shared as is.</p>
{split_block(split)}</body></html>
"""
    target = out_dir / "index.html"
    target.write_text(page, encoding="utf-8")
    return target
