"""The HTML shell of every stakeholder page (phase pages, index, the single file): one style, one footer.

Pages load plotly.js from the report folder (``plotly.min.js``, copied once); the single-file
report embeds it once instead. The style prints: tables are not cut across pages, each phase
starts on a new page, links show where they go.
"""

from __future__ import annotations

import html
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

PLOTLY_FILE = "plotly.min.js"

STYLE = """
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--head:#f0f4f8;--good:#0b6b3a;--good-bg:#dcf3e5;
--bad:#9b1c1c;--bad-bg:#fde2e2;--warn:#7a4b00;--warn-bg:#fdf0d5;--info:#0b4f8a;--info-bg:#e0efff;--neutral:#3e4c59;--neutral-bg:#e4e7eb}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:76rem;color:var(--ink);padding:1rem 1.5rem;line-height:1.45}
a{color:#0b4f8a} h1{font-size:1.7rem;margin:.6rem 0 .2rem} h2{margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
nav.top{font-size:.9rem;margin-bottom:.5rem} nav.top a{margin-right:.8rem} nav.top a[aria-current]{font-weight:700;text-decoration:none;color:var(--ink)}
.meta{color:var(--muted);margin-top:0}
code{background:var(--head);padding:0 .25rem;border-radius:3px;font-size:.92em}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f9fb;border:1px solid var(--line);padding:.5rem .7rem;border-radius:4px;font-size:.85rem}
.table-wrap{overflow-x:auto;margin:.6rem 0 1rem}
table.people{border-collapse:collapse;width:100%;font-size:.9rem}
table.people th,table.people td{border-bottom:1px solid var(--line);padding:.35rem .55rem;text-align:left;vertical-align:top}
table.people td.long{overflow-wrap:anywhere;min-width:12rem}
table.people th{background:var(--head);font-weight:600}
table.people .num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table.people td.pre{white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:.8rem}
table.sortable th button{all:unset;cursor:pointer;font:inherit;color:inherit} table.sortable th button:focus-visible{outline:2px solid #0b4f8a}
table.sortable th[aria-sort=ascending] button::after{content:" ▲"} table.sortable th[aria-sort=descending] button::after{content:" ▼"}
.badge{display:inline-block;padding:0 .45rem;border-radius:.7rem;font-size:.82rem;font-weight:600;white-space:nowrap}
.badge-good{background:var(--good-bg);color:var(--good)} .badge-bad{background:var(--bad-bg);color:var(--bad)}
.badge-warn{background:var(--warn-bg);color:var(--warn)} .badge-info{background:var(--info-bg);color:var(--info)}
.badge-neutral{background:var(--neutral-bg);color:var(--neutral)}
.budget .headline{display:inline-block;font-size:1.1rem;font-weight:700;padding:.2rem .7rem;border-radius:.4rem;margin:.3rem 0}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.8rem;margin:1rem 0}
.tile{border:1px solid var(--line);border-radius:.6rem;padding:.8rem 1rem;background:#fbfcfd}
.tile h3{margin:0;font-size:.95rem;color:var(--muted);font-weight:600}
.tile .big{font-size:1.9rem;font-weight:700;margin:.2rem 0;display:block;text-decoration:none;color:var(--ink)}
.tile .big.na{font-size:1.05rem;color:var(--muted)} .tile .from{color:var(--muted);font-size:.9rem} .tile .delta{font-weight:600}
.verdicts li,.plan li{margin:.3rem 0;overflow-wrap:anywhere}
table.diff{border-collapse:collapse;width:100%;font-family:ui-monospace,monospace;font-size:.8rem}
table.diff caption{text-align:left;font-weight:600;padding:.2rem 0}
table.diff th{background:var(--head);text-align:left;padding:.2rem .4rem;font-family:system-ui,sans-serif}
table.diff td{padding:0 .4rem;white-space:pre-wrap;overflow-wrap:anywhere;vertical-align:top}
table.diff td.ln{color:var(--muted);text-align:right;width:3rem;white-space:nowrap;user-select:none}
table.diff tr.add td{background:#e3f1fb} table.diff tr.del td{background:#fdebdc}
table.diff tr.add .mark{color:#005a8c;font-weight:700} table.diff tr.del .mark{color:#8a3b00;font-weight:700}
table.diff tr.hunk td{background:var(--head);color:var(--neutral);font-family:system-ui,sans-serif;font-weight:600;padding:.2rem .4rem}

.anchor-link{display:none} .jp-Cell{margin:.4rem 0} .jp-OutputArea-output{overflow-x:auto}
section.phase{break-before:page}
section.phase:first-of-type{break-before:auto}
@media print{
  body{max-width:none;padding:0;font-size:10pt}
  nav.top,.no-print,.modebar-container{display:none}
  tr,.tile,.budget,.js-plotly-plot,.plotly-graph-div,pre{break-inside:avoid}
  thead{display:table-header-group}
  table.people{font-size:8.5pt}
  .tiles{grid-template-columns:repeat(5,1fr);gap:.4rem} .tile .big{font-size:1.4rem}
  .table-wrap{overflow:visible}
  h2,h3{break-after:avoid}
  a{color:inherit;text-decoration:none}
}
"""

FOOTER_STYLE = """footer.measured{margin-top:2.5rem;border-top:1px solid #d9e2ec;padding-top:.6rem;color:#52606d;font-size:.82rem}
footer.measured dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .8rem;margin:.3rem 0}
footer.measured dt{font-weight:600}"""
STYLE += FOOTER_STYLE

# Click a column header of a long table to sort by it (numbers by their raw value).
SORT_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('thead th').forEach(function(th, col){
    var button = document.createElement('button'); button.type = 'button';
    button.textContent = th.textContent; th.textContent = ''; th.appendChild(button);
    button.setAttribute('aria-label', 'sort by ' + (button.textContent || 'column ' + (col + 1)));
    button.addEventListener('click', function(){
      var asc = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('thead th').forEach(function(o){ o.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      var body = table.tBodies[0], rows = Array.from(body.rows);
      function key(row){ var c = row.cells[col]; var v = c.getAttribute('data-sort');
        return v !== null && v !== '' && !isNaN(+v) ? +v : c.textContent.trim().toLowerCase(); }
      rows.sort(function(a, b){ var x = key(a), y = key(b);
        if (typeof x !== typeof y) { x = String(x); y = String(y); }
        return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
      rows.forEach(function(r){ body.appendChild(r); });
    });
  });
});
"""

TIMING_INCLUDES = ("one `docker build` (BuildKit), wall time from the call to the image ID: sending the build "
                   "context and every step; not included: pulling the base image (present before), waiting "
                   "for another build (builds run one at a time), the docker client's start. A cold build "
                   "uses --no-cache and empty cache mounts. Figures are medians of the repeats.")


def e(value) -> str:
    return html.escape(str(value), quote=True)


@dataclass
class Measurement:
    """How a page's figures were measured, shown in one block at its end."""

    engine: str = ""
    cpus: int = 0
    repeats: int = 0
    load_start: tuple = ()
    load_end: tuple = ()
    extra: dict = field(default_factory=dict)

    def footer(self) -> str:
        def load(values):
            return " / ".join(f"{v:.2f}" for v in values) if values else "not recorded"

        rows = [("engine", self.engine or "not recorded"), ("CPUs", self.cpus or "not recorded"),
                ("load average (1/5/15 min)", f"at start {load(self.load_start)}; at end {load(self.load_end)}"),
                ("repeats per timing", self.repeats or "not recorded"),
                ("a timing is", TIMING_INCLUDES), *self.extra.items()]
        items = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows)
        return f'<style>{FOOTER_STYLE}</style><footer class="measured" aria-label="How it was measured"><strong>How it was measured</strong><dl>{items}</dl></footer>'


def load_average() -> tuple:
    try:
        return tuple(round(v, 2) for v in os.getloadavg())
    except OSError:
        return ()


def copy_plotly(out_dir: Path) -> Path:
    """The folder's one copy of plotly.js, the version the kernel's plotly embeds."""
    target = Path(out_dir) / PLOTLY_FILE
    source = plotly_source()
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        shutil.copyfile(source, target)
    return target


def plotly_source() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / PLOTLY_FILE


def shell(title: str, body: str, nav: str = "", footer: str = "", plotly: str = "link") -> str:
    """A whole page. ``plotly``: "link" (the folder's copy), "inline" (embedded once), or "" (none)."""
    if plotly == "link":
        script = f'<script src="{PLOTLY_FILE}"></script>'
    elif plotly == "inline":
        script = "<script>" + plotly_source().read_text(encoding="utf-8").replace("</script", "<\\/script") + "</script>"
    else:
        script = ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>{script}</head>
<body>
{f'<nav class="top" aria-label="Report pages">{nav}</nav>' if nav else ''}
<main>
{body}
</main>
{footer}
<script>{SORT_SCRIPT}</script>
</body></html>
"""
