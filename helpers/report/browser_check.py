"""Open rendered HTML in a real headless Chromium with the network off; count drawn charts.

Uses Debian's chromium (``/usr/bin/chromium``) driven by Playwright; Playwright never downloads
a browser here. Every request that is not a local file is aborted, so a page that needs the
network shows it as a failed request instead of silently passing.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import DockoptError

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
COUNT_DRAWN = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
    .filter(div => div.querySelector('svg.main-svg')).length"""


@dataclass
class PageCheck:
    path: Path
    figures_drawn: int
    figure_divs: int
    script_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    title: str = ""


def chromium_path() -> str:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise DockoptError("No Chromium found to check the rendered HTML.",
                       hint="`apt-get install -y chromium` (Debian), then run again.")


def check_pages(paths: list[Path], screenshot_dir: Path | None = None, settle_ms: int = 1500) -> list[PageCheck]:
    """Load each page offline; return what drew, what failed, and optionally a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                     env={**os.environ, "HOME": os.environ.get("HOME", "/tmp")})
        try:
            for path in paths:
                results.append(_check_one(browser, Path(path).resolve(), screenshot_dir, settle_ms))
        finally:
            browser.close()
    return results


def _check_one(browser, path: Path, screenshot_dir: Path | None, settle_ms: int) -> PageCheck:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    blocked: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def route(r):
        if r.request.url.startswith("file:") or r.request.url.startswith("data:"):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(settle_ms)
    check = PageCheck(path, page.evaluate(COUNT_DRAWN),
                      page.evaluate("() => document.querySelectorAll('.plotly-graph-div').length"),
                      errors, blocked, page.title())
    if screenshot_dir:
        screenshot_dir.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot_dir / f"{path.stem}.png"), full_page=True)
    page.close()
    return check
