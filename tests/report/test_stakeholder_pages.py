"""The stakeholder report as its readers get it, in a real headless Chromium with the network off:
tables for people, no process output, tiles equal to the history's measurements, accessible
(axe-core), one file to send and a PDF. Screenshots land in tests/artifacts/screenshots."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from helpers.paths import DEFAULT_HISTORY, ROOT
from helpers.report.browser_check import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.engine

HISTORY = DEFAULT_HISTORY  # where the sample report's figures were measured (the fixture's default)
AXE = ROOT / "tests" / "report" / "node_modules" / "axe-core" / "axe.min.js"
PROCESS_OUTPUT = [
    re.compile(r"\b(cold|code|deps|noop)( build)? \d+/\d+\b"),  # progress lines of the timed builds
    re.compile(r"Executing:|\d+%\|"),  # papermill / tqdm
    re.compile(r"saved for the index page|not saved \(no report_dir\)"),  # a return value
    re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>"),  # a repr
    re.compile(r"^(PASS|FAIL|SKIP)  \w+:", re.MULTILINE),  # raw budget lines (they become a table)
    re.compile(r"^budgets: \d+ of \d+ hold", re.MULTILINE),
]
TABLE_FACTS = """() => ({
  tbodyTh: document.querySelectorAll('tbody th').length,
  dataframes: document.querySelectorAll('table.dataframe').length,
  headers: Array.from(document.querySelectorAll('thead th')).map(th => th.textContent.trim()),
  cutCells: Array.from(document.querySelectorAll('td, th')).map(td => td.textContent.trim())
                 .filter(t => t.endsWith('...') || t.endsWith('…')),
  text: document.body.innerText,
})"""


def stakeholder_pages(report) -> list[Path]:
    return [report.out_dir / f"{item.phase.stem}.html" for item in report.executed] + [report.index,
                                                                                      report.out_dir / "report.html"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_offline(browser, path: Path, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.wait_for_timeout(800)
    return page


def test_tables_are_for_people_and_no_process_output(sample_report, browser):
    for path in stakeholder_pages(sample_report):
        page = open_offline(browser, path)
        facts = page.evaluate(TABLE_FACTS)
        page.close()
        assert facts["tbodyTh"] == 0 and facts["dataframes"] == 0, (path.name, "index column or pandas table")
        assert "" not in facts["headers"] or path.name == "index.html", (path.name, facts["headers"])
        assert not any(h.isdigit() for h in facts["headers"]), (path.name, facts["headers"])
        assert facts["cutCells"] == [], (path.name, facts["cutCells"][:5])
        for pattern in PROCESS_OUTPUT:
            found = pattern.search(facts["text"])
            assert not found, (path.name, found.group(0))


def test_budgets_are_a_table_of_checks_with_a_headline(sample_report, browser):
    page = open_offline(browser, sample_report.out_dir / "04-summary.html")
    headline = page.inner_text(".budget .headline")
    headers = page.eval_on_selector_all(".budget thead th", "ths => ths.map(t => t.textContent.trim())")
    page.close()
    assert re.fullmatch(r"(All \d+ checks hold|\d+ of \d+ checks fail|\d+ of \d+ checks hold, \d+ not measured)", headline)
    assert headers == ["what", "value", "limit", "held"]


def test_tiles_equal_the_measurements_in_the_history(sample_report, browser):
    import json

    from helpers.report import tables

    saved = json.loads((sample_report.out_dir / "summary.json").read_text())
    page = open_offline(browser, sample_report.index)
    tiles = page.eval_on_selector_all("#tiles a[data-metric]", """links => links.map(a => ({
        metric: a.dataset.metric, value: a.dataset.value, text: a.textContent.trim()}))""")
    page.close()
    assert len({t["metric"] for t in tiles}) == 5
    unmeasured = [t["metric"] for t in tiles if len([u for u in tiles if u["metric"] == t["metric"]]) != 2]
    assert unmeasured == [], f"tiles without an original and an optimized figure: {unmeasured}"
    optimized = saved["optimized"]
    with sqlite3.connect(HISTORY) as db:
        def medians(variant, scenario):
            return {row[0] for row in db.execute(
                "SELECT s.median_s FROM scenarios s JOIN variants v USING (variant_id) "
                "WHERE v.name = ? AND s.scenario = ? AND s.status = 'ok'", (variant, scenario))}

        def analysed(variant):
            """The image analyses the history holds for this variant's images (size, layers)."""
            import pickle

            return [pickle.loads(row[0]) for row in db.execute(
                "SELECT a.payload FROM analyses a JOIN variants v ON v.image_id = a.image_id "
                "WHERE a.kind = 'image' AND v.name = ?", (variant,))]

        by_metric = {m: [t for t in tiles if t["metric"] == m] for m in {t["metric"] for t in tiles}}
        for metric, scenario in (("First Build", "cold"), ("Rebuild (code change)", "code")):
            after, before = (float(t["value"]) for t in by_metric[metric])
            assert after in medians(optimized, scenario) and before in medians("original", scenario), metric
            assert by_metric[metric][0]["text"] == tables.seconds(after)
        for metric, read, show in (("Image Size", lambda r: r.sizes.uncompressed_bytes, tables.megabytes),
                                    ("Layers", lambda r: r.sizes.layer_count, str)):
            after, before = (int(t["value"]) for t in by_metric[metric])
            assert before in {read(r) for r in analysed("original")}, metric
            assert after in {read(r) for r in analysed(optimized)}, metric
            assert by_metric[metric][0]["text"] == show(after)


def test_every_number_links_to_where_it_comes_from(sample_report, browser):
    page = open_offline(browser, sample_report.index)
    links = page.eval_on_selector_all("#tiles a, .verdicts a, .plan a", "as => as.map(a => a.getAttribute('href'))")
    page.close()
    assert links
    for href in links:
        target, _, anchor = href.partition("#")
        assert (sample_report.out_dir / target).is_file(), href
        if anchor:
            assert f'id="{anchor}"' in (sample_report.out_dir / target).read_text(), href


def test_axe_finds_no_serious_or_critical_violation(sample_report, browser):
    assert AXE.is_file(), "axe-core is missing: run `make browser` (npm install --prefix tests/report)"
    for path in stakeholder_pages(sample_report):
        page = open_offline(browser, path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        page.close()
        bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
        assert bad == [], (path.name, bad)


def test_plotly_js_once_per_folder_and_page_weights(sample_report):
    out = sample_report.out_dir
    assert (out / "plotly.min.js").is_file()
    for item in sample_report.executed:
        for name in (f"{item.phase.stem}.html", f"{item.phase.stem}.code.html"):
            html = (out / name).read_text()
            assert "* plotly.js v" not in html and '<script src="plotly.min.js"></script>' in html, name
        assert (out / f"{item.phase.stem}.html").stat().st_size < 500_000, item.phase.stem
    single = (out / "report.html").read_text()
    assert single.count("* plotly.js v") == 1 and 'src="plotly.min.js"' not in single
    assert (out / "report.html").stat().st_size < 6_000_000


def test_single_file_opens_offline_and_draws_every_chart(sample_report, browser, screenshots):
    from tests.report.test_report_browser import figures_in

    expected = sum(figures_in(item.notebook) for item in sample_report.executed)
    errors = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked = []
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
               else (blocked.append(r.request.url), r.abort()))
    page.goto((sample_report.out_dir / "report.html").as_uri(), wait_until="load")
    page.wait_for_timeout(2500)
    drawn = page.evaluate("() => document.querySelectorAll('.plotly-graph-div svg.main-svg').length > 0 ? "
                          "Array.from(document.querySelectorAll('.plotly-graph-div')).filter(d => d.querySelector('svg.main-svg')).length : 0")
    sections = page.evaluate("() => document.querySelectorAll('section.phase').length")
    page.close()
    assert errors == [] and blocked == []
    assert drawn == expected > 0 and sections == len(sample_report.executed) + 1


def test_pdf_exists_opens_and_its_first_page_is_drawn(sample_report, screenshots):
    pdf = sample_report.out_dir / "report.pdf"
    assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert pages >= len(sample_report.executed) + 1  # a page break between phases
    screenshots.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(screenshots / "report-pdf-page1")], check=True)
    assert (screenshots / "report-pdf-page1.png").stat().st_size > 10_000


def test_screenshots_of_index_and_a_phase_page(sample_report, browser, screenshots):
    screenshots.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "01-phase1-critical.html"):
        page = open_offline(browser, sample_report.out_dir / name)
        page.screenshot(path=str(screenshots / f"stakeholder-{Path(name).stem}.png"), full_page=True)
        page.close()
        assert (screenshots / f"stakeholder-{Path(name).stem}.png").stat().st_size > 10_000
