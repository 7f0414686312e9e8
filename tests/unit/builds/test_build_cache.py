"""The disk warning and the build-cache ledger (real SQLite; the free-space figure is faked)."""

import pytest

from helpers.builds import build_cache
from helpers.history import store


def test_no_warning_with_room_or_without_an_estimate():
    assert build_cache.disk_warning(50 * 10**9, 10 * 10**9) is None
    assert build_cache.disk_warning(None, 10 * 10**9) is None  # a remote engine: its disk is not ours to see
    assert build_cache.disk_warning(1 * 10**9, None) is None  # nothing measured yet


def test_warning_names_both_figures_and_what_to_do():
    text = build_cache.disk_warning(int(1.5e9), int(6.2e9))
    assert "1.5 GB free" in text and "6.2 GB" in text and "dockopt clean" in text


@pytest.fixture
def hist(tmp_path):
    with store.open_history(tmp_path / "h.sqlite") as h:
        run = h.start_run(store.RunInfo(engine_version="20.10", cpus=2, git_commit=None, host="x", run_label="r"))
        for name, grew in (("Dockerfile", 3e9), ("Dockerfile.phase1", 1e9)):
            vid = h.add_variant(run, name, dockerfile=f"/p/{name}")
            h.add_metric(vid, "disk.peak_growth", grew, "B")
        yield h


def test_needed_bytes_from_history(hist):
    assert hist.disk_estimate(["/p/Dockerfile", "/p/Dockerfile.phase1"]) == 4e9
    assert hist.disk_estimate(["/elsewhere/Dockerfile"]) is None
    assert hist.typical_disk_growth() == 2e9
    # a project never measured: the typical growth of one Dockerfile times the report's four variants
    assert build_cache.needed_bytes(hist, ["/elsewhere/Dockerfile"]) == 8e9
    with pytest.MonkeyPatch.context() as mp:  # a faked free-space figure below it warns
        mp.setattr(build_cache, "engine_free_bytes", lambda cli: int(2e9))
        assert "2.0 GB free" in build_cache.disk_warning(build_cache.engine_free_bytes(None),
                                                         build_cache.needed_bytes(hist, ["/p/Dockerfile"]))


def test_ledger_remembers_and_forgets(hist):
    hist.remember_cache_records(["a", "b", "a"])
    assert sorted(hist.cache_records()) == ["a", "b"]
    hist.forget_cache_records(["a"])
    assert hist.cache_records() == ["b"]
