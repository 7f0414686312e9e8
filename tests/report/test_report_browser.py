"""The rendered report in a real headless Chromium with the network off."""

import json

import pytest

from helpers.report.browser_check import check_pages

pytestmark = pytest.mark.engine


def figures_in(notebook) -> int:
    """Plotly figures among a notebook's outputs (each is one chart the HTML must draw)."""
    cells = json.loads(notebook.read_text())["cells"]
    return sum(1 for c in cells for o in c.get("outputs", []) if "application/vnd.plotly.v1+json" in o.get("data", {}))


def test_report_has_every_phase_in_both_flavours(sample_report):
    names = {p.name for p in sample_report.out_dir.iterdir()}
    for item in sample_report.executed:
        assert {f"{item.phase.stem}.html", f"{item.phase.stem}.code.html"} <= names
    assert len(sample_report.executed) == 5 and "index.html" in names


def test_every_chart_draws_offline_without_script_errors(sample_report, screenshots):
    pages = [sample_report.out_dir / f"{item.phase.stem}{suffix}.html"
             for item in sample_report.executed for suffix in ("", ".code")]
    checks = check_pages(pages + [sample_report.index], screenshots)
    for item in sample_report.executed:
        expected = figures_in(item.notebook)
        assert expected > 0, f"{item.phase.stem} has no figure"
        for check in checks:
            if check.path.name.startswith(item.phase.stem):
                assert check.figures_drawn == expected == check.figure_divs, check
    for check in checks:
        assert check.script_errors == [], (check.path.name, check.script_errors)
        assert check.blocked_requests == [], (check.path.name, check.blocked_requests)
    assert (screenshots / "index.png").stat().st_size > 10_000


def test_stakeholder_pages_hide_code_engineer_pages_show_it(sample_report):
    hidden = (sample_report.out_dir / "00-baseline.html").read_text()
    shown = (sample_report.out_dir / "00-baseline.code.html").read_text()
    call = '<span class="n">findings_table</span>'  # a call in a code cell, as the highlighter renders it
    assert call not in hidden and call in shown


def test_plotly_js_is_loaded_from_the_folder_once(sample_report):
    for item in sample_report.executed:
        html = (sample_report.out_dir / f"{item.phase.stem}.html").read_text()
        assert html.count('<script src="plotly.min.js"></script>') == 1 and "* plotly.js v" not in html, item.phase.stem
        assert 'src="http' not in html and "src='http" not in html


def test_index_links_resolve_and_show_the_measured_table(sample_report):
    import re

    html = sample_report.index.read_text()
    for href in re.findall(r'href="([^"#]+)', html):
        assert (sample_report.out_dir / href).is_file(), href
    assert "Rebuild (code change)" in html and "Verdict" in html
