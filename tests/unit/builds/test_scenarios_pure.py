"""The pure parts of the scenario runner: summaries, cache keys."""

import re

from helpers.builds import scenarios


def test_summary_keeps_median_and_range():
    assert scenarios.summarize([3.0, 1.0, 10.0]) == {"median_s": 3.0, "min_s": 1.0, "max_s": 10.0, "repeats": 3}


def test_cache_key_changes_with_any_part():
    base = dict(scenario="code", repeats=3, bases={"a": "1"}, engine="20.10", build_args={},
                edited_file="a.py", dockerfile_digest="d", context_digest="c")
    key = scenarios.cache_key(**base)
    for field, value in [("context_digest", "c2"), ("bases", {"a": "2"}), ("engine", "24"), ("repeats", 1)]:
        assert scenarios.cache_key(**{**base, field: value}) != key


def test_image_tags_are_ours_and_valid():
    t = scenarios.Target("Phase 1!", "/x/My Project", "/x/My Project/Dockerfile")
    assert re.fullmatch(r"dockopt-build/my-project-[0-9a-f]{8}:Phase-1-", t.image_tag())

