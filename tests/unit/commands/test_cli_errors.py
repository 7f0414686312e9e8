"""Faults reach the user as one clear sentence and a non-zero exit, never a traceback."""

import subprocess
import sys

from helpers.paths import ROOT


def run_cli(*args, env_extra=None):
    import os

    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "helpers.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_no_engine_is_a_clear_error(tmp_path):
    proc = run_cli("engine", env_extra={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert proc.returncode == 2
    assert "No Docker engine answers" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_engine_up_refuses_to_start_for_a_foreign_endpoint(tmp_path):
    proc = run_cli("engine", "up", env_extra={"DOCKER_HOST": f"unix://{tmp_path}/none.sock"})
    assert proc.returncode == 2
    assert "from DOCKER_HOST" in proc.stderr and "Traceback" not in proc.stderr
