"""index.html: the executive summary first, then the measured table, then every phase in both flavours.

Every number comes from summary.json, which the summary notebook saves from what it measured
(``helpers.report.summary``); nothing here measures or recomputes. Every string that can come from a
user's project (names, paths, error text) is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pandas as pd

from helpers.report import page, tables

SUMMARY_PAGE = "04-summary.html"
RESULTS_ANCHOR = "expected-results"  # the people table under "Expected results: ..." (stakeholder.slug)
PLAN_ANCHOR = "the-implementation-plan-verified"
PHASE_PAGES = {"phase1": ("01-phase1-critical", "Phase 1: critical"),
               "phase2": ("02-phase2-important", "Phase 2: important"),
               "phase3": ("03-phase3-hardening", "Phase 3: hardening")}
# Tile order: what a manager reads first. metric -> (tile title, how to show a value, lower is better)
TILES = {
    "Image Size": ("Image size", tables.megabytes),
    "Rebuild (code change)": ("Rebuild after a code change", tables.seconds),
    "First Build": ("First (cold) build", tables.seconds),
    "Security Issues": ("High/critical security findings", lambda n: f"{int(n)}"),
    "Layers": ("Layers", lambda n: f"{int(n)}"),
}


def e(value) -> str:
    return html.escape(str(value), quote=True)


def delta(metric: str, before, after) -> str:
    """The change in the words a reader uses: '−80% (5.0x smaller)', '128x faster', '+9% slower'."""
    if before is None or after is None:
        return "not measured"
    if metric in ("Security Issues", "Layers"):
        diff = int(after - before)
        noun = "findings" if metric == "Security Issues" else "layers"
        return "no change" if diff == 0 else f"{abs(diff)} {'fewer' if diff < 0 else 'more'} {noun if abs(diff) > 1 else noun[:-1]}"
    if not before:
        return ""
    pct = 100 * (after - before) / before
    if abs(pct) < 0.5:
        return "no change"
    faster, slower = ("smaller", "larger") if metric == "Image Size" else ("faster", "slower")
    ratio = before / after if after else 0
    if ratio >= 2 or (ratio and 1 / ratio >= 2):  # "18.8x slower" reads better than "1779% slower"
        return f"{tables.number(max(ratio, 1 / ratio))}x {faster if ratio > 1 else slower}"
    return f"{abs(pct):.0f}% {faster if pct < 0 else slower}"


def tiles(saved: dict) -> str:
    measured = saved.get("measured") or {}
    href = f"{SUMMARY_PAGE}#{RESULTS_ANCHOR}"
    out = []
    for metric, (title, show) in TILES.items():
        values = measured.get(metric) or {}
        before, after = values.get("original"), values.get("optimized")
        original = (f'<a href="{href}" data-metric="{e(metric)}" data-value="{e(before)}">{e(show(before))}</a>'
                    if before is not None else "not measured")
        if after is None:  # say so plainly, and still show the original it would be compared with
            big = '<span class="big na">optimized: not measured</span>'
            sub = f"original: {original}"
        else:
            big = f'<a class="big" href="{href}" data-metric="{e(metric)}" data-value="{e(after)}">{e(show(after))}</a>'
            sub = f'from {original}' + (f' · <span class="delta">{e(delta(metric, before, after))}</span>'
                                        if before is not None else "")
        out.append(f'<div class="tile"><h3>{e(title)}</h3>{big}<span class="from">{sub}</span></div>')
    return f'<div class="tiles" id="tiles">{"".join(out)}</div>'


def phase_verdicts(saved: dict) -> str:
    """One sentence per phase: its measured win and its cost against the variant before it."""
    variants = saved.get("variants") or {}
    items = []
    previous = "original"
    for variant, (stem, title) in PHASE_PAGES.items():
        now, before = variants.get(variant), variants.get(previous)
        if not now or not before:
            items.append(f'<li><a href="{stem}.html">{e(title)}</a>: not measured.</li>')
            continue
        wins, costs = [], []
        for metric, label, show in (("Image Size", "image", tables.megabytes),
                                    ("Rebuild (code change)", "code-change rebuild", tables.seconds),
                                    ("First Build", "first build", tables.seconds),
                                    ("Security Issues", "high/critical findings", lambda n: f"{int(n)}"),
                                    ("Layers", "layers", lambda n: f"{int(n)}")):
            a, b = before.get(metric), now.get(metric)
            if a is None or b is None or a == b or (metric not in ("Security Issues", "Layers") and a
                                                     and abs(b - a) / a < 0.05):
                continue  # unchanged within 5%: neither a win nor a cost worth a sentence
            text = f'{label} <a href="{stem}.html">{e(show(a))} → {e(show(b))}</a> ({e(delta(metric, a, b))})'
            (wins if b < a else costs).append(text)
        win = "; ".join(wins) or "no measured gain"
        cost = "; ".join(costs) or "no measured cost"
        items.append(f'<li><strong><a href="{stem}.html">{e(title)}</a></strong> (against {e(previous)}): '
                     f'Win: {win}. Cost: {cost}.</li>')
        previous = variant
    return f'<ul class="verdicts">{"".join(items)}</ul>'


def plan_list(saved: dict) -> str:
    plan = saved.get("plan") or []
    if not plan:
        return "<p>The plan checklist was not saved (the summary notebook did not run).</p>"
    out = []
    for phase in sorted({int(row["phase"]) for row in plan}):
        rows = [r for r in plan if int(r["phase"]) == phase]
        done = [r for r in rows if r["verified"] == "yes"]
        left = [r for r in rows if r["verified"] != "yes"]
        title = PHASE_PAGES.get(f"phase{phase}", ("", f"Phase {phase}"))[1]
        items = "".join(
            f'<li><span class="badge badge-{"good" if r["verified"] == "yes" else ("bad" if r["verified"] == "NO" else "neutral")}">'
            f'{"done" if r["verified"] == "yes" else ("left" if r["verified"] == "NO" else "not measured")}</span> '
            f'{e(r["item"])} <span class="meta">({e(r["evidence"])})</span></li>' for r in done + left)
        out.append(f'<li><strong>{e(title)}</strong>: <a href="{SUMMARY_PAGE}#{PLAN_ANCHOR}">{len(done)} of {len(rows)} done</a>'
                   f'<ul>{items}</ul></li>')
    return f'<ol class="plan">{"".join(out)}</ol>'


def phase_rows(executed) -> str:
    rows = []
    for item in executed:
        status = '<span class="badge badge-good">rendered</span>' if item.ok else \
            f'<span class="badge badge-bad">failed</span> {e(item.error)}'
        rows.append(
            f"<tr><td>{e(item.phase.title)}</td><td>{e(item.phase.question)}</td>"
            f'<td><a href="{e(item.phase.stem)}.html">report</a> · <a href="{e(item.phase.stem)}.code.html">with code</a>'
            f' · <a href="executed/{e(item.phase.stem)}.ipynb">notebook</a></td>'
            f'<td>{status}</td><td class="num">{item.seconds:.0f}</td></tr>')
    return "\n".join(rows)


def frame_table(frame: pd.DataFrame | None) -> str:
    if frame is None or frame.empty:
        return "<p>No summary yet: the summary notebook did not run or measured nothing.</p>"
    from helpers.report.summary import basis_note

    resource = {"schema": {"fields": [{"name": c, "type": "string"} for c in frame.columns]},
                "data": frame.to_dict(orient="records")}
    note = basis_note(frame)
    return tables.people_table(resource, "measured-table") + (f'\n<p class="meta">{e(note)}</p>' if note else "")


def as_saved(saved) -> dict | None:
    """summary.json's content; a bare results table (``summary.load``) is taken as its table only."""
    if isinstance(saved, pd.DataFrame):
        return None if saved.empty else {"table": saved.to_dict(orient="records")}
    return saved or None


def summary_html(saved: dict | None) -> str:
    """The executive summary: tiles, verdict per phase, the plan. Shared with the single-file report."""
    saved = as_saved(saved)
    if not saved:
        return "<p>No summary yet: the summary notebook did not run or measured nothing.</p>"
    return f"""<h2>At a glance: original → optimized</h2>
{tiles(saved)}
<h2>Phase by phase: what each bought, and what it cost</h2>
{phase_verdicts(saved)}
<h2>The plan, in order of value</h2>
<p class="meta">Critical first, then important, then hardening, as the analysis ranks them; each item verified by a measurement.</p>
{plan_list(saved)}
<h2>Expected results, measured</h2>
{frame_table(pd.DataFrame(saved["table"]))}"""


def split_block(split: list[dict] | None) -> str:
    """Where this render's wall time went (helpers.report.render_split), measured, as the page's last block."""
    if not split:
        return ""
    rows = "\n".join(f'<tr><td>{e(r["category"])}</td><td class="num">{r["seconds"]:.1f}</td>'
                     f'<td class="num">{e(r["share"])}</td></tr>' for r in split)
    return f"""<h2>Where this render's time went</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="table (scrolls sideways when wide)"><table class="people"><thead><tr><th scope="col">work</th>
<th scope="col" class="num">wall time (s)</th><th scope="col" class="num">share</th></tr></thead>
<tbody>
{rows}
</tbody></table></div>
<p class="meta">Measured by the code doing each kind of work and recorded in the history file for this render
(a block inside another counts once, as the inner kind; an image's analysis runs beside its runtime
checks, and the time both ran counts as runtime checks, which are slower for sharing the CPU). Builds: docker build running; runtime checks:
containers started to check images; everything else is overhead. Results reused from the history file
cost no build time, so a re-render is mostly overhead.</p>
"""


def write_index(out_dir, project: str, dockerfile: str, executed, saved: dict | None,
                footer: str = "", split: list[dict] | None = None) -> Path:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    body = f"""<h1>Dockerfile optimization report</h1>
<p class="meta">Project <code>{e(project)}</code> · Dockerfile <code>{e(dockerfile)}</code> · {e(now)}</p>
<p class="no-print meta">To send: attach <a href="report.html">report.html</a> (every page in one file, opens offline)
or <a href="report.pdf">report.pdf</a>.</p>
{summary_html(saved)}
<h2>Phases</h2>
<div class="table-wrap" tabindex="0" role="region" aria-label="table (scrolls sideways when wide)"><table class="people"><thead><tr><th scope="col">phase</th><th scope="col">question</th>
<th scope="col">open</th><th scope="col">status</th><th scope="col" class="num">took (s)</th></tr></thead>
<tbody>
{phase_rows(executed)}
</tbody></table></div>
{split_block(split)}"""
    target = out_dir / "index.html"
    target.write_text(page.shell(f"dockopt report: {project}", body, footer=footer, plotly=""), encoding="utf-8")
    return target
