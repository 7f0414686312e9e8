"""Tables for people: formats, no index column, full text, badges, escaping."""

import re

import pandas as pd
import pytest

from helpers.report import tables


def resource(frame: pd.DataFrame) -> dict:
    import json

    return json.loads(frame.to_json(orient="table"))


@pytest.mark.parametrize("value, shown", [
    (1524.3, "1,524"), (73.21, "73.2"), (31.24, "31.2"), (0.2412, "0.24"), (3.214, "3.21"), (0, "0"), (0.004, "0.004"),
])
def test_number_reads_like_a_person_writes_it(value, shown):
    assert tables.number(value) == shown


def test_units_and_change_and_factor():
    assert tables.megabytes(1_524_300_000) == "1,524 MB"
    assert tables.change(31.2, 0.24, tables.seconds) == "31.2 s → 0.24 s"
    assert tables.factor(31.2, 0.24) == "130x"
    assert tables.factor(10, 20) == "2.00x slower"


def test_no_index_column_and_units_in_headers():
    html = tables.people_table(resource(pd.DataFrame({"variant": ["original"], "bytes": [1_524_000_000],
                                                      "median_s": [73.21]})))
    headers = re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", html)
    assert headers == ["variant", "size (MB)", "median (s)"]
    assert ">1,524<" in html and ">73.2<" in html


def test_long_text_is_shown_whole_and_escaped():
    message = "x" * 300 + " <script>alert(1)</script>"
    html = tables.people_table(resource(pd.DataFrame({"message": [message]})))
    assert "x" * 300 in html and "<script>" not in html and "&lt;script&gt;" in html
    assert "..." not in html


def test_severity_and_verdict_are_badges():
    html = tables.people_table(resource(pd.DataFrame({"severity": ["error", "info"], "Verdict": ["met", "missed"]})))
    assert '<span class="badge badge-bad">error</span>' in html
    assert '<span class="badge badge-good">met</span>' in html and '<span class="badge badge-bad">missed</span>' in html


def test_missing_values_and_booleans():
    html = tables.people_table(resource(pd.DataFrame({"line": [3, None], "ok": [True, False]})))
    assert ">3<" in html and ">–<" in html and ">yes<" in html and ">no<" in html and "3.0" not in html


def test_long_tables_are_sortable_short_ones_not():
    assert "sortable" in tables.people_table(resource(pd.DataFrame({"a": range(tables.SORTABLE_FROM)})))
    assert "sortable" not in tables.people_table(resource(pd.DataFrame({"a": range(3)})))


def test_budget_lines_become_a_table_of_checks_with_a_headline():
    from helpers.report import phase_budgets

    text = phase_budgets.check(phase_budgets.SUMMARY, {"starts": True, "size_ratio": 0.7, "code_change_speedup": 128.0,
                                                       "build_tools": 0, "uid": 1000, "warnings": 0})
    html = tables.budget_table(text)
    assert "1 of 6 checks fail" in html
    assert "optimized image at least 50% smaller than the original" in html
    assert ">0.7<" in html and "at most 0.5" in html and '<span class="badge badge-bad">no</span>' in html
    assert "PASS" not in html and "FAIL" not in html
