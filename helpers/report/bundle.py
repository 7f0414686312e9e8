"""The report as one file to send: ``report.html`` (every stakeholder page, plotly.js embedded once)
and ``report.pdf``, printed from it by the headless Chromium the browser tests use.

Links between pages become links between sections of the one file (``01-phase1-critical.html#x``
-> ``#01-phase1-critical--x``), so the executive summary's numbers still lead to their tables.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from helpers.report import page, render

SINGLE_FILE = "report.html"
PDF_FILE = "report.pdf"
# Ids of headings and tables; plotly's figure divs have UUID ids, unique already and named in their scripts.
ID_ATTR = re.compile(r'\bid="(?![0-9a-f]{8}-[0-9a-f]{4}-)([^"]+)"')
PAGE_LINK = re.compile(r'href="((?:\d\d-[\w-]+))\.html(?:#([^"]*))?"')


def section(stem: str, title: str, body: str) -> str:
    """A page's HTML as a section of the single file: ids prefixed so pages cannot collide."""
    body = ID_ATTR.sub(lambda m: f'id="{stem}--{m.group(1)}"', body)
    body = re.sub(r'href="#(?!\d\d-)([^"]+)"', lambda m: f'href="#{stem}--{m.group(1)}"', body)
    return f'<section class="phase" id="{stem}" aria-label="{page.e(title)}">{link_sections(body)}</section>'


def link_sections(body: str) -> str:
    return PAGE_LINK.sub(lambda m: f'href="#{m.group(1)}{"--" + m.group(2) if m.group(2) else ""}"', body)


def write_single_file(out_dir: Path, project: str, summary: str, executed, footer: str = "") -> Path:
    contents = "".join(f'<li><a href="#{item.phase.stem}">{page.e(item.phase.title)}</a></li>' for item in executed)
    parts = [(f'<section class="phase" id="summary" aria-label="Summary"><h1>Dockerfile optimization report</h1>'
              f'<p class="meta">Project <code>{page.e(project)}</code></p>{link_sections(summary)}'
              f'<h2>Contents</h2><ol>{contents}</ol></section>')]
    for item in executed:
        if item.notebook.is_file():
            parts.append(section(item.phase.stem, item.phase.title, render.people_body(item.notebook)))
    target = Path(out_dir) / SINGLE_FILE
    target.write_text(page.shell(f"dockopt report: {project}", "\n".join(parts), footer=footer, plotly="inline"),
                      encoding="utf-8")
    return target


def print_pdf(html_file: Path, timeout_s: int = 180) -> Path:
    """Chromium prints the single file as drawn (charts included) to report.pdf beside it."""
    from helpers.report.browser_check import CHROMIUM_ARGS, chromium_path

    target = html_file.with_name(PDF_FILE)
    target.unlink(missing_ok=True)
    argv = [chromium_path(), "--headless", *CHROMIUM_ARGS, "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=15000", f"--print-to-pdf={target}", html_file.resolve().as_uri()]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL,
                          check=False)
    if not target.is_file():
        from helpers.errors import DockoptError

        raise DockoptError(f"Chromium did not print {target} (exit {proc.returncode}).",
                           hint=(proc.stderr or proc.stdout)[-500:])
    return target
