"""The pure parts of the scenario runner: summaries, change lines, cache keys."""

import re

import pytest

from helpers.builds import scenarios
from helpers.errors import DockoptError


def test_summary_keeps_median_and_range():
    assert scenarios.summarize([3.0, 1.0, 10.0]) == {"median_s": 3.0, "min_s": 1.0, "max_s": 10.0, "repeats": 3}


@pytest.mark.parametrize("path,prefix", [("src/a.py", "# "), ("pyproject.toml", "# "),
                                         ("requirements.txt", "# "), ("main.go", "// "), ("x.css", "/* ")])
def test_change_lines_are_comments_in_the_files_language(path, prefix):
    line = scenarios.change_line(path, "tok", "code")
    assert line.startswith(prefix) and "tok" in line


def test_a_file_without_comment_syntax_is_refused():
    with pytest.raises(DockoptError):
        scenarios.change_line("package.json", "tok", "dependency")


def test_cache_key_changes_with_any_part():
    base = dict(scenario="code", repeats=3, bases={"a": "1"}, engine="20.10", build_args={},
                edited_file="a.py", dockerfile_digest="d", context_digest="c")
    key = scenarios.cache_key(**base)
    for field, value in [("context_digest", "c2"), ("bases", {"a": "2"}), ("engine", "24"), ("repeats", 1)]:
        assert scenarios.cache_key(**{**base, field: value}) != key


def test_image_tags_are_ours_and_valid():
    t = scenarios.Target("Phase 1!", "/x/My Project", "/x/My Project/Dockerfile")
    assert re.fullmatch(r"dockopt-build/my-project-[0-9a-f]{8}:Phase-1-", t.image_tag())

