"""Which docker clients can build with BuildKit (versions recorded from the real clients)."""

from pathlib import Path

import pytest

from helpers.engine import docker_cli
from helpers.errors import NoBuildKitClient

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "engine"


def recorded_version(name: str) -> str:
    import re

    return re.search(r"version\s+([0-9][^\s,]*)", (FIXTURES / name).read_text()).group(1)


@pytest.mark.parametrize(
    "version_file, buildx, expected_mode",
    [
        ("docker-20.10-version.txt", False, "DOCKER_BUILDKIT=1"),  # Debian's client: BuildKit built in
        ("docker-28-version.txt", False, None),  # 23+ delegates to buildx, which is missing
        ("docker-28-version.txt", True, "buildx"),
        ("docker-20.10-version.txt", True, "buildx"),  # buildx preferred where present
    ],
)
def test_classify(version_file, buildx, expected_mode):
    client = docker_cli.classify("/usr/bin/docker", recorded_version(version_file), buildx)
    assert (client.mode if client else None) == expected_mode


def test_recorded_versions_parse():
    assert recorded_version("docker-20.10-version.txt") == "20.10.24+dfsg1"
    assert recorded_version("docker-28-version.txt") == "28.2.2"


def test_recorded_28_client_really_lacks_buildx():
    assert "unknown command: docker buildx" in (FIXTURES / "docker-28-buildx-version.txt").read_text()


def test_build_argv_per_mode():
    assert docker_cli.BuildKitClient("/d", "buildx", "28").build_argv() == ["/d", "buildx", "build", "--load"]
    legacy = docker_cli.BuildKitClient("/d", "DOCKER_BUILDKIT=1", "20.10")
    assert legacy.build_argv() == ["/d", "build"] and legacy.env()["DOCKER_BUILDKIT"] == "1"


def test_no_client_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(docker_cli, "CANDIDATE_PATHS", ())
    with pytest.raises(NoBuildKitClient) as err:
        docker_cli.find_client()
    assert "No docker client here can build with BuildKit" in err.value.message
    assert "buildx" in err.value.hint
