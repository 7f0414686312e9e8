"""The engine disappearing mid-run: a clear error, and what was measured before is kept.

The client talks to the shared engine through a relay (tests/support/engine_proxy.py) that the
test kills while a build is running; the engine itself is never stopped.
"""

from __future__ import annotations

import os
import threading

import pytest

from helpers.builds import scenarios
from helpers.history import store
from helpers.engine import connect
from helpers.errors import EngineUnavailable
from tests.integration.conftest import TINY_BASE
from tests.support.engine_proxy import EngineRelay

TAG = "dockopt-test/engine-gone:tiny"
BUILD_SECONDS = 6  # each build sleeps this long: the relay is killed 2 s into the second one


@pytest.fixture
def relay(engine, tmp_path):
    host = connect.find_endpoint().host
    if not host.startswith("unix://"):
        pytest.skip(f"the relay needs a unix-socket engine, not {host}")
    relay = EngineRelay(tmp_path / "engine.sock", host[len("unix://"):])
    yield relay
    relay.kill()
    for tag in (TAG, TAG + "-edited"):
        try:
            engine.images.remove(tag, force=True)
        except Exception:  # not built, or already gone
            pass


def test_engine_gone_mid_build_is_a_clear_error_and_keeps_earlier_results(relay, tmp_path, monkeypatch):
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "app.py").write_text("print('hi')\n")
    (context / "Dockerfile").write_text(
        f"FROM {TINY_BASE}\nWORKDIR /app\nCOPY app.py ./\nRUN sleep {BUILD_SECONDS} && cat app.py > /copy.txt\n")
    monkeypatch.setenv("DOCKER_HOST", relay.host)
    history = tmp_path / "h.sqlite"
    target = scenarios.Target("tiny", context, context / "Dockerfile", code_file="app.py", tag=TAG)
    lines = []

    def log(line: str) -> None:
        lines.append(line)
        if "code build 1/1 ..." in line:  # the second build has started: the engine "dies" during it
            threading.Timer(2, relay.kill).start()

    with pytest.raises(EngineUnavailable) as gone:
        scenarios.measure(target, scenarios=["cold", "code"], repeats=1, history=history, log=log)
    assert "stopped answering while building tiny" in gone.value.message
    assert str(history) in gone.value.hint and "kept" in gone.value.hint
    assert os.environ["DOCKER_HOST"] == relay.host  # nothing fell back to the real socket behind our back
    with store.History(history) as h:
        measured = h.scenarios(h.latest_run_id())
        variant = h.variants(h.latest_run_id()).iloc[0]
    cold = measured[measured["scenario"] == "cold"].iloc[0]
    assert cold["status"] == "ok" and cold["median_s"] >= BUILD_SECONDS
    assert "code" not in set(measured.loc[measured["status"] == "ok", "scenario"])
    assert variant["status"] == "failed" and "stopped answering" in variant["error"]
