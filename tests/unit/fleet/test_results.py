"""A project's numbers read back from the history file a report left (read-only)."""

from __future__ import annotations

from types import SimpleNamespace

from helpers.fleet import results
from helpers.history import store


class Security:
    """What a security analysis pickles, as far as the fleet reads it."""

    score = 71

    def counts(self) -> dict:
        return {"critical": 1, "high": 2, "low": 5}


def test_numbers_come_from_the_newest_built_variant_and_its_analyses(tmp_path):
    path, context = tmp_path / "h.sqlite", tmp_path / "app"
    with store.History(path) as h:
        for variant, size, code_s in (("original", 900, 30.0), ("phase1", 300, 0.4)):
            run = h.start_run(store.RunInfo(engine_version="20.10", cpus=2))
            v = h.add_variant(run, variant, image_tag=results.report_tag("app", context, variant))
            h.add_scenario(v, "code", status="ok", median_s=code_s)
            h.update_variant(v, status="ok", image_id=f"sha256:{variant}")
            h.put_analysis(f"image:{variant}", "image", f"sha256:{variant}",
                           SimpleNamespace(sizes=SimpleNamespace(uncompressed_bytes=size, compressed_bytes=size // 3)), 1.0)
        h.put_analysis("security:phase1", "security", "sha256:phase1", Security(), 1.0)
    numbers = results.read_numbers(path, "app", context)
    assert numbers.optimized == "phase1"
    assert numbers.saving("size_bytes") == 600 and numbers.saving("code_rebuild_s") == 29.6
    phase1 = numbers.variants["phase1"]
    assert (phase1.high_critical, phase1.security_score, phase1.engine_version, phase1.reused) == (3, 71, "20.10", False)
    assert numbers.variants["original"].security_score is None


def test_a_missing_history_file_is_no_numbers(tmp_path):
    numbers = results.read_numbers(tmp_path / "none.sqlite", "app", tmp_path)
    assert numbers.variants == {} and numbers.optimized is None and not (tmp_path / "none.sqlite").exists()
