"""Pool members from --engines: URLs and docker contexts (with their TLS material), and each one's environment."""

import hashlib
import shutil
from pathlib import Path

import pytest

from helpers.errors import DockoptError
from helpers.fleet.engines import parse_engine, parse_engines

CONFIG_WITH_CONTEXT = Path(__file__).resolve().parents[2] / "fixtures" / "engine" / "docker-config-with-context"


@pytest.fixture(autouse=True)
def no_docker_env(monkeypatch):
    for var in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
                "DOCKOPT_BUILD_LOCK"):
        monkeypatch.delenv(var, raising=False)


def test_a_context_name_resolves_to_its_host_and_tls_files(tmp_path):
    config = tmp_path / "docker"
    shutil.copytree(CONFIG_WITH_CONTEXT, config)
    tls = config / "contexts" / "tls" / hashlib.sha256(b"remote-ci").hexdigest() / "docker"
    tls.mkdir(parents=True)
    (tls / "ca.pem").write_text("x")
    engine = parse_engine("remote-ci", config)
    assert engine.host == "tcp://10.0.0.7:2376"
    env = engine.env({"DOCKER_CONTEXT": "other", "PATH": "/bin"})
    assert env["DOCKER_HOST"] == "tcp://10.0.0.7:2376" and "DOCKER_CONTEXT" not in env
    assert env["DOCKER_TLS_VERIFY"] == "1" and env["DOCKER_CERT_PATH"] == str(tls)
    assert env["DOCKOPT_BUILD_LOCK"].endswith("dockopt-build-10.0.0.7.lock")  # another machine: its own lock


def test_local_engines_share_this_machines_build_lock():
    for url in ("unix:///tmp/second/sock", "tcp://127.0.0.1:2375"):
        env = parse_engine(url).env({})
        assert env["DOCKER_HOST"] == url and "DOCKOPT_BUILD_LOCK" not in env


def test_tcp_url_takes_tls_from_the_environment(monkeypatch):
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", "/certs/builder")
    engine = parse_engine("tcp://builder.internal:2376")
    assert engine.env({})["DOCKER_CERT_PATH"] == "/certs/builder" and engine.machine == "builder.internal"
    assert parse_engine("ssh://ci@builder2").machine == "builder2"


def test_engines_listed_comma_separated_or_repeated_and_once_each():
    engines = parse_engines(["unix:///a.sock,unix:///b.sock", "ssh://ci@c"])
    assert [e.host for e in engines] == ["unix:///a.sock", "unix:///b.sock", "ssh://ci@c"]
    assert len({e.slug for e in engines}) == 3
    with pytest.raises(DockoptError, match="same engine twice"):
        parse_engines(["unix:///a.sock", "unix:///a.sock"])


def test_unknown_engines_are_clear_errors(tmp_path):
    with pytest.raises(DockoptError, match="neither a DOCKER_HOST URL nor a docker context"):
        parse_engine("no-such-context", tmp_path)
    with pytest.raises(DockoptError, match="unknown scheme http://"):
        parse_engine("http://x")
