"""The executive summary shows what summary.json holds, in a reader's words, each number linked."""

import re

from helpers.report import index_page

SAVED = {
    "table": [{"Metric": "Image Size", "Verdict": "met"}],
    "optimized": "phase3",
    "measured": {"Image Size": {"original": 1_524_300_000, "optimized": 310_000_000},
                 "Rebuild (code change)": {"original": 31.2, "optimized": 0.24},
                 "First Build": {"original": 73.2, "optimized": 80.1},
                 "Security Issues": {"original": 22, "optimized": 18},
                 "Layers": {"original": 15, "optimized": None}},
    "variants": {"original": {"Image Size": 1_524_300_000, "Rebuild (code change)": 31.2, "First Build": 73.2,
                              "Security Issues": 22, "Layers": 15},
                 "phase1": {"Image Size": 310_000_000, "Rebuild (code change)": 0.24, "First Build": 80.1,
                            "Security Issues": 22, "Layers": 10}},
    "plan": [{"phase": 1, "item": "Add .dockerignore file", "verified": "yes", "evidence": "<b>e</b>"},
             {"phase": 1, "item": "Fix layer caching order", "verified": "NO", "evidence": "re-ran install"}],
}


def test_tiles_show_optimized_from_original_with_the_change():
    html = index_page.tiles(SAVED)
    assert ">310 MB<" in html and ">1,524 MB<" in html and "4.92x smaller" in html
    assert ">0.24 s<" in html and "130x faster" in html
    assert "9% slower" in html and "optimized: not measured" in html and "original: <a" in html
    assert set(re.findall(r'href="([^"]+)"', html)) == {"04-summary.html#expected-results"}


def test_phase_verdict_names_its_win_and_its_cost():
    html = index_page.phase_verdicts(SAVED)
    assert "Win: image" in html and "1,524 MB → 310 MB" in html and "Cost: first build" in html
    assert "not measured" in html  # phase 2 and 3 are missing


def test_plan_lists_done_and_left_escaped():
    html = index_page.plan_list(SAVED)
    assert "1 of 2 done" in html and "&lt;b&gt;e&lt;/b&gt;" in html and ">left<" in html


def test_delta_words():
    assert index_page.delta("Layers", 15, 10) == "5 fewer layers"
    assert index_page.delta("Image Size", 100, 63) == "37% smaller"
    assert index_page.delta("First Build", 1.51, 28.3) == "18.7x slower"
    assert index_page.delta("Security Issues", 3, 3) == "no change"
    assert index_page.delta("First Build", 10.0, 10.01) == "no change"
