"""The pure parts of the scenario runner: summaries, change lines, cache keys."""

import re

import pytest

from helpers import scenarios
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


class BusyEngine:
    """An engine that refuses ``busy`` disk-usage queries first, as Docker does while another one runs."""

    def __init__(self, busy: int, error: str = scenarios.DF_BUSY):
        self.busy, self.error, self.calls = busy, error, 0

    def df(self):
        import docker.errors

        self.calls += 1
        if self.calls <= self.busy:
            raise docker.errors.APIError(f'500 Server Error: Internal Server Error ("{self.error}")')
        return {"BuildCache": [{"ID": "m1", "Type": "exec.cachemount", "Description": "cached mount /root/.cache"},
                               {"ID": "l1", "Type": "regular", "Description": "layer"}]}


def test_cache_mounts_wait_while_another_disk_usage_query_runs(monkeypatch):
    import docker.errors

    monkeypatch.setattr("time.sleep", lambda s: None)
    engine = BusyEngine(busy=3)
    assert scenarios.list_cache_mounts(engine) == {"m1": "cached mount /root/.cache"} and engine.calls == 4
    with pytest.raises(docker.errors.APIError):
        scenarios.list_cache_mounts(BusyEngine(busy=1, error="something else"))
    with pytest.raises(docker.errors.APIError):
        scenarios.list_cache_mounts(BusyEngine(busy=5), attempts=3)
