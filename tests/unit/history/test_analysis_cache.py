"""The analysis cache: results are stored in the real SQLite history, failures only when asked."""

from helpers.history import analysis_cache
from helpers.image.inspection import runtime_passed


def test_a_kept_result_is_reused_and_a_rejected_one_is_computed_again(tmp_path):
    history = tmp_path / "history.sqlite"
    calls = []

    def compute(value):
        def run():
            calls.append(value)
            return {"value": value}
        return run

    keep_ok = lambda r: r["value"] == "ok"  # noqa: E731
    assert analysis_cache.cached(history, "runtime", "sha256:a", compute("bad"), keep=keep_ok) == {"value": "bad"}
    assert analysis_cache.cached(history, "runtime", "sha256:a", compute("ok"), keep=keep_ok) == {"value": "ok"}
    assert analysis_cache.cached(history, "runtime", "sha256:a", compute("again"), keep=keep_ok) == {"value": "ok"}
    assert calls == ["bad", "ok"]


def test_runtime_passed_needs_health_and_smoke():
    healthy = {"healthcheck": True, "health": "healthy", "smoke": {"ok": True}}
    assert runtime_passed(healthy)
    assert not runtime_passed({**healthy, "health": "unhealthy"})
    assert not runtime_passed({**healthy, "smoke": {"ok": False}})
    assert runtime_passed({"healthcheck": False, "health": "none"})
