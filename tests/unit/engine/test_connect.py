"""Engine discovery from the docker CLI's own files (recorded with a real `docker context create`)."""

from pathlib import Path

import pytest

from helpers.engine import connect

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "engine"
CONFIG_WITH_CONTEXT = FIXTURES / "docker-config-with-context"


@pytest.fixture(autouse=True)
def no_docker_env(monkeypatch):
    for var in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG"):
        monkeypatch.delenv(var, raising=False)


def test_docker_host_wins_over_context(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    endpoint = connect.find_endpoint(CONFIG_WITH_CONTEXT)
    assert endpoint == connect.Endpoint("tcp://127.0.0.1:2375", "DOCKER_HOST")


def test_current_context_from_config_json():
    endpoint = connect.find_endpoint(CONFIG_WITH_CONTEXT)
    assert endpoint == connect.Endpoint("tcp://10.0.0.7:2376", "context:remote-ci")


def test_docker_context_env_overrides_config(monkeypatch):
    monkeypatch.setenv("DOCKER_CONTEXT", "default")
    assert connect.find_endpoint(CONFIG_WITH_CONTEXT).source == "default socket"


def test_unknown_context_falls_back_to_default_socket(monkeypatch):
    monkeypatch.setenv("DOCKER_CONTEXT", "does-not-exist")
    assert connect.find_endpoint(CONFIG_WITH_CONTEXT) == connect.Endpoint(connect.DEFAULT_SOCKET, "default socket")


def test_no_config_dir_means_default_socket(tmp_path):
    assert connect.find_endpoint(tmp_path).host == connect.DEFAULT_SOCKET


def test_unanswering_endpoint_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/nobody.sock")
    with pytest.raises(connect.EngineUnavailable) as err:
        connect.client(timeout=2)
    assert "No Docker engine answers" in err.value.message
    assert "DOCKER_HOST" in err.value.message and "make engine" in err.value.hint
