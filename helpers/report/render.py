"""Executed notebook → HTML, in two flavours: stakeholder (no code, tables for people) and engineer.

Both load plotly.js from the report folder (``page.PLOTLY_FILE``) instead of embedding it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from helpers.report import page
from helpers.report.offline import OfflineOutputs
from helpers.report.stakeholder import PeopleOutputs, SharedPlotly

TEMPLATES = Path(__file__).parent / "templates"


def exporter(with_code: bool) -> HTMLExporter:
    if with_code:
        html = HTMLExporter(template_name="dockopt", extra_template_basedirs=[str(TEMPLATES)])
    else:  # the cells only: page.shell gives the stakeholder page its head, style and footer
        html = HTMLExporter(template_name="basic")
        html.register_preprocessor(PeopleOutputs(), enabled=True)
    html.exclude_input = not with_code
    html.exclude_input_prompt = not with_code
    html.exclude_output_prompt = True
    html.register_preprocessor(SharedPlotly(), enabled=True)
    html.register_preprocessor(OfflineOutputs(), enabled=True)
    return html


def people_body(notebook: Path) -> str:
    """The stakeholder view of an executed notebook, as the HTML of its cells (no page around it)."""
    nb = nbformat.read(notebook, as_version=4)
    body, _ = exporter(False).from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    return body


def render_html(notebook: Path, target: Path, with_code: bool, title: str = "", nav: str = "",
                footer: str = "") -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    if with_code:
        nb = nbformat.read(notebook, as_version=4)
        body, _ = exporter(True).from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
        body = body.replace("</body>", f"{footer}\n</body>", 1) if footer else body
    else:
        body = page.shell(title or notebook.stem, people_body(notebook), nav=nav, footer=footer)
    target.write_text(body, encoding="utf-8")
    return target
