"""Executed notebook → self-contained HTML, in two flavours: stakeholder (no code) and engineer."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from helpers.report.offline import OfflineOutputs

TEMPLATES = Path(__file__).parent / "templates"


def exporter(with_code: bool) -> HTMLExporter:
    html = HTMLExporter(template_name="dockopt", extra_template_basedirs=[str(TEMPLATES)])
    html.exclude_input = not with_code
    html.exclude_input_prompt = not with_code
    html.exclude_output_prompt = True
    html.register_preprocessor(OfflineOutputs(), enabled=True)
    return html


def render_html(notebook: Path, target: Path, with_code: bool) -> Path:
    nb = nbformat.read(notebook, as_version=4)
    body, _ = exporter(with_code).from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target
