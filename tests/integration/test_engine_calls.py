"""The engine calls a measurement and the pages make instead of using the SDK themselves, on the real engine."""

from __future__ import annotations

import pytest

from helpers.engine import connect, gpu_runtime, images
from helpers.engine.base_images import PYTHON_TAG

pytestmark = pytest.mark.engine

MISSING = "dockopt-test/never-built:none"


def test_image_id_names_the_image_or_none(docker_client):
    assert images.image_id(PYTHON_TAG) == docker_client.images.get(PYTHON_TAG).id
    assert images.image_id(MISSING, docker_client) is None


def test_clean_up_calls_leave_what_is_not_theirs(docker_client):
    before = docker_client.images.get(PYTHON_TAG).id
    images.remove_tag(MISSING, docker_client)  # already gone: best effort, no error
    images.prune_dangling("org.dockopt.run=never-used-by-anyone", docker_client)
    assert docker_client.images.get(PYTHON_TAG).id == before


def test_a_session_is_one_client_and_its_description(docker_client):
    cli, info = connect.session(timeout=60)
    assert cli.ping() and info == connect.describe(docker_client) == connect.describe()
    assert connect.answers(timeout=10)
    with pytest.raises(connect.failures()):
        cli.images.get(MISSING)


def test_the_gpu_runtimes_are_the_engines(docker_client):
    found = gpu_runtime.runtimes()
    assert found == sorted(docker_client.info()["Runtimes"]) and "runc" in found


def test_gpu_check_says_why_it_skipped_on_an_engine_without_a_gpu_runtime(docker_client):
    from types import SimpleNamespace

    from helpers.study import gpu_check

    if gpu_runtime.NVIDIA in gpu_runtime.runtimes():
        pytest.skip("this engine has the NVIDIA runtime: the check would run")
    sbom = {"components": [{"name": "torch"}]}
    text = gpu_check(SimpleNamespace(tag=lambda v: PYTHON_TAG), "phase3", {"phase3": SimpleNamespace(sbom=sbom)})
    assert str(text).startswith("skipped: no GPU runtime (engine runtimes: ") and "runc" in str(text)
