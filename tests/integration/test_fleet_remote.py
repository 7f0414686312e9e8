"""``dockopt fleet`` on engines reached the ways a remote one is: tcp with TLS, a docker context, ssh.

One extra dockerd (tests/support/second_engine.py) listens on its unix socket and on a loopback TCP
port with ``--tlsverify`` (a throwaway CA, server and client certificates); an sshd on another
loopback port (tests/support/loopback_sshd.py) lets root in with a throwaway key and points the
``docker system dial-stdio`` an ssh:// client runs there at that dockerd's socket. Each fleet here is
one tiny project, baseline notebook only, ``--repeats 1``, run with the ``dockopt fleet`` command
line the README shows; the three-project fleet across two engines is test_fleet_pool.py's.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import docker.errors
import pytest

from helpers.engine import base_images, connect
from helpers.fleet.engines import parse_engine
from helpers.fleet.results import report_tag
from helpers.paths import ROOT
from tests.support import loopback_sshd
from tests.support.second_engine import SecondEngine
from tests.support.tiny_projects import tiny_project

ENGINE_VARS = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
TLS_PROJECT, SSH_PROJECT = "dockopt-remote-tls", "dockopt-remote-ssh"
FLEET_TIMEOUT_S = 1500


@pytest.fixture(scope="module")
def remote_engine(engine, tmp_path_factory):
    engine.images.get(base_images.PYTHON_TAG)  # built by `make base`; the tiny project builds FROM it
    second = SecondEngine(tmp_path_factory.mktemp("remote-engine"), name="dkopt-remote1", tls=True).start()
    try:
        second.load_images(base_images.PYTHON_TAG)
        yield second
    finally:
        second.stop()


BUILT: list[str] = []  # tags the reports gave (checked on the main engine, removed from it if there)


@pytest.fixture(scope="module", autouse=True)
def nothing_of_ours_left_on_the_main_engine(engine):
    """The builds go to the remote engine (gone with its data root); should one reach the main
    engine instead, the test fails on it and this removes it."""
    yield
    for tag in BUILT:
        try:
            engine.images.remove(tag, force=True)
        except docker.errors.ImageNotFound:
            pass


def clean_env(extra: dict[str, str] | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any engine of its own, plus ``extra``; dockopt from this tree."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in ENGINE_VARS}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra or {})
    return env


def fleet_file(root: Path, name: str) -> Path:
    ctx = tiny_project(root, name)
    (root / "fleet.yaml").write_text(f"repeats: 1\nprojects:\n  - name: {name}\n    context: {ctx.name}\n"
                                     "    smoke: python3 app.py\n    phases: [baseline]\n")
    return root / "fleet.yaml"


def dockopt(*argv: str, env: dict[str, str], timeout: int = FLEET_TIMEOUT_S) -> subprocess.CompletedProcess:
    """``dockopt ARGV`` as a user runs it (this tree's dockopt: the venv's points at the main tree)."""
    proc = subprocess.run([sys.executable, "-m", "helpers.cli", *argv], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=timeout)
    print(f"$ dockopt {' '.join(argv)}\n{proc.stdout}{proc.stderr}")
    return proc


def measured_on(out: Path, name: str, remote_engine: SecondEngine, host: str) -> dict:
    """The project's fleet entry, checked to come from the test engine named ``host`` and only from it."""
    data = json.loads((out / "fleet.json").read_text())
    (project,) = data["projects"]
    assert project["name"] == name and project["outcome"] == "ok", project["message"]
    engine = project["engine"]
    assert engine["name"] == host and engine["host"] == host and engine["machine"] == "this machine"
    # the data root tells this dockerd from the main one (their IDs are shared on one machine)
    assert engine["engine_id"].endswith(f"@{remote_engine.dir / 'root'}"), engine
    assert [e["name"] for e in data["engines"]] == [host] and not data["dead_engines"]
    assert [a["engine"] for a in project["attempts"]] == [host]
    original = project["numbers"]["variants"]["original"]
    assert original["size_bytes"] > 100e6 and original["code_rebuild_s"] > 0 and original["cold_build_s"] > 0
    assert (original["engine_version"], original["cpus"]) == (engine["engine_version"], engine["cpus"])
    history = out / "history" / parse_engine(host).slug / "history.sqlite"
    with closing(sqlite3.connect(history)) as conn:  # every run in that engine's file was on that engine
        runs = conn.execute("SELECT engine_version, cpus FROM runs").fetchall()
    assert runs and set(runs) == {(engine["engine_version"], engine["cpus"])}
    assert sorted(p.name for p in (out / "history").iterdir()) == [parse_engine(host).slug]
    assert host in (out / "index.html").read_text()
    return project


def assert_built_there_only(project: dict, remote_engine: SecondEngine, main) -> None:
    tag = report_tag(project["name"], project["context"], "original")
    BUILT.append(tag)
    remote = connect.sdk_client(remote_engine.host, timeout=60)
    try:
        assert remote.images.get(tag).id == project["numbers"]["variants"]["original"]["image_id"]
    finally:
        remote.close()
    with pytest.raises(docker.errors.ImageNotFound):
        main.images.get(tag)


def test_fleet_on_an_engine_reached_by_tcp_with_tls(remote_engine, engine, tmp_path):
    env = clean_env({"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(remote_engine.client_certs)})
    out = tmp_path / "out"
    proc = dockopt("fleet", str(fleet_file(tmp_path, TLS_PROJECT)), "--engines", remote_engine.tls_host,
                   "--out", str(out), env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    project = measured_on(out, TLS_PROJECT, remote_engine, remote_engine.tls_host)
    assert_built_there_only(project, remote_engine, engine)


@pytest.mark.parametrize("trust_engine, why", [
    (False, "the engine's certificate is not signed by the CA in ca.pem"),
    (True, "the engine"),  # refused the client certificate / does not trust its CA (the alert Go sends)
], ids=["client-does-not-trust-engine", "engine-does-not-trust-client"])
def test_a_wrong_certificate_is_a_clear_error_naming_the_engine(remote_engine, tmp_path, trust_engine, why):
    certs = remote_engine.foreign_certs(trust_engine)
    env = clean_env({"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(certs)})
    proc = dockopt("fleet", str(fleet_file(tmp_path, TLS_PROJECT)), "--engines", remote_engine.tls_host,
                   "--out", str(tmp_path / "out"), env=env, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    first = next((line for line in proc.stderr.splitlines() if line.startswith("dockopt: error: ")), proc.stderr)
    assert first.startswith("dockopt: error: No engine of the pool answers: "), first
    assert f"engine {remote_engine.tls_host} does not answer" in first, first
    assert "TLS handshake failed: " + why in first and str(certs) in first, first
    assert "DOCKER_CERT_PATH" in proc.stderr  # the hint says what to fix
    assert not (tmp_path / "out" / "fleet.json").exists()  # nothing measured, nothing claimed


def test_a_docker_context_holding_the_certificates_reaches_the_engine(remote_engine, tmp_path):
    """What the README's ``docker context create`` line makes; dockopt reads the context's TLS folder."""
    config = tmp_path / "docker-config"
    certs = remote_engine.client_certs
    proc = subprocess.run(["/usr/bin/docker", "context", "create", "dockopt-remote-tls", "--docker",
                           f"host={remote_engine.tls_host},ca={certs / 'ca.pem'},cert={certs / 'cert.pem'},"
                           f"key={certs / 'key.pem'}"], env=clean_env({"DOCKER_CONFIG": str(config)}),
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    engine = parse_engine("dockopt-remote-tls", config)
    assert engine.host == remote_engine.tls_host and engine.tls["DOCKER_CERT_PATH"].startswith(str(config))
    info = engine.describe()
    assert info["engine_id"].endswith(f"@{remote_engine.dir / 'root'}")


@pytest.fixture(scope="module")
def sshd(remote_engine, tmp_path_factory):
    why = loopback_sshd.unavailable()
    if why:
        pytest.skip(f"skipped: no ssh server for the ssh:// engine test: {why}")
    server = loopback_sshd.LoopbackSshd(tmp_path_factory.mktemp("sshd"), remote_engine.host).start()
    try:
        yield server
    finally:
        server.stop()


def test_fleet_on_an_engine_reached_by_ssh(remote_engine, sshd, engine, tmp_path):
    env = clean_env(base=sshd.env())
    out = tmp_path / "out"
    proc = dockopt("fleet", str(fleet_file(tmp_path, SSH_PROJECT)), "--engines", sshd.url, "--out", str(out),
                   env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    project = measured_on(out, SSH_PROJECT, remote_engine, sshd.url)
    assert_built_there_only(project, remote_engine, engine)
