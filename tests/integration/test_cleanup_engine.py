"""Cleanup removes only labelled objects, and an interrupted measurement leaves nothing running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

from tests.integration.conftest import TINY_BASE

from helpers.engine import cleanup
from helpers.engine import buildkit
from helpers.engine.labels import RUN_LABEL, ours

ROOT = Path(__file__).resolve().parents[2]


def test_clean_removes_one_runs_labelled_objects_and_nothing_else(engine, tiny_context):
    label = "test-" + uuid.uuid4().hex[:8]
    other = "test-" + uuid.uuid4().hex[:8]
    mine = buildkit.build(tiny_context, tiny_context / "Dockerfile", f"dockopt-build/clean-test:{label}",
                          labels={RUN_LABEL: label})
    buildkit.build(tiny_context, tiny_context / "Dockerfile", f"dockopt-build/clean-test:{other}",
                   labels={RUN_LABEL: other})  # another run's image, which must survive
    container = engine.containers.create(mine.image_id, ["true"], labels=ours({RUN_LABEL: label}))
    volume = engine.volumes.create(name=f"dockopt-test-{label}", labels=ours({RUN_LABEL: label}))
    try:
        removed = cleanup.clean(run_label=label, cli=engine)
        assert container.name in removed.containers and volume.name in removed.volumes
        assert f"dockopt-build/clean-test:{label}" in removed.images
        assert engine.images.get(f"dockopt-build/clean-test:{other}")  # the other run's image stays
    finally:
        cleanup.clean(run_label=other, cli=engine)
        cleanup.clean(run_label=label, cli=engine)


def test_sigterm_mid_build_leaves_no_workspace_and_no_running_container(engine, tmp_path):
    ctx = tmp_path / "slow"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(textwrap.dedent(f"""\
        FROM {TINY_BASE}
        RUN echo {uuid.uuid4().hex} && sleep 60
        """))
    env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "helpers.cli", "measure", "--context", str(ctx),
                             "--dockerfile", str(ctx / "Dockerfile"), "--scenarios", "cold", "--repeats", "1",
                             "--history", str(tmp_path / "h.sqlite")], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob("dockopt-ws-*")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(tmp_path.glob("dockopt-ws-*")), "the measurement never started"
    time.sleep(3)  # inside the build's `sleep 60`
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, out
    assert not list(tmp_path.glob("dockopt-ws-*"))
    running = engine.containers.list(filters={"label": RUN_LABEL})
    assert not [c for c in running if c.status == "running"]
    # no build is left running either: the client was killed, so BuildKit cancels the solve
    ps = subprocess.run(["pgrep", "-f", str(ctx / "Dockerfile")], capture_output=True, text=True)
    assert ps.stdout.strip() == ""
