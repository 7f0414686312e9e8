"""Text from a user's Dockerfile, file names or build log is shown as text, never executed."""

import pytest

from helpers.report.browser_check import check_pages
from helpers.report.run import ReportParams, render_report

pytestmark = pytest.mark.engine

CRAFTED_NAME = "<img src=x onerror=window.__pwned=2>.txt"
DOCKERFILE = """# <script>window.__pwned = 1</script> a comment from the user
ARG BASE_IMAGE=dockopt/python:3.11-bookworm
FROM ${BASE_IMAGE}
WORKDIR /srv
COPY ["<img src=x onerror=window.__pwned=2>.txt", "./"]
RUN echo '<script>window.__pwned=3</script>' > note.txt
COPY app.py ./
CMD ["python3", "app.py"]
"""


@pytest.fixture(scope="module")
def crafted_report(tmp_path_factory, docker_client):
    context = tmp_path_factory.mktemp("crafted")
    (context / "Dockerfile").write_text(DOCKERFILE)
    (context / CRAFTED_NAME).write_text("x")
    (context / "app.py").write_text("print('ok')\n")
    out = tmp_path_factory.mktemp("crafted-report")
    params = ReportParams(context=str(context), dockerfile=str(context / "Dockerfile"),
                          name="<script>window.__pwned=4</script>", repeats=1,
                          history=str(out / "history.sqlite"), smoke_command="python3 app.py")
    result = render_report(params, out, phases=["baseline"], progress=False)
    assert result.ok, result.executed[0].error
    return out


def test_crafted_text_is_shown_not_run(crafted_report):
    from playwright.sync_api import sync_playwright

    from helpers.report.browser_check import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for page_name in ("00-baseline.html", "00-baseline.code.html", "index.html"):
                page = browser.new_page()
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
                page.goto((crafted_report / page_name).as_uri(), wait_until="load")
                page.wait_for_timeout(1000)
                assert page.evaluate("() => window.__pwned") is None, page_name
                text = page.evaluate("() => document.body.innerText")
                assert "<script>window.__pwned=4</script>" in text, page_name  # the name, as text
                if page_name != "index.html":
                    assert "<script>window.__pwned=3</script>" in text, page_name  # from the build
                page.close()
        finally:
            browser.close()


def test_crafted_pages_still_draw_their_charts(crafted_report):
    checks = check_pages([crafted_report / "00-baseline.html"])
    assert checks[0].figures_drawn == checks[0].figure_divs > 0
    assert checks[0].script_errors == []
