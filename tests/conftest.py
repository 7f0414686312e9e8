"""Shared fixtures. Engine-tier fixtures are session-scoped: each image is built once per run."""

from __future__ import annotations

import pytest

TEST_TAG = "dockopt-test/snsw"


@pytest.fixture(scope="session")
def docker_client():
    """A client for the running engine; a missing engine fails the engine tier loudly, never skips."""
    from helpers.engine import connect
    from helpers.errors import EngineUnavailable

    try:
        return connect.client()
    except EngineUnavailable as exc:
        pytest.fail(f"{exc} (the engine tier needs one: `make engine`)", pytrace=False)


@pytest.fixture(scope="session")
def base_images(docker_client):
    from helpers.engine import base_images as provision

    return provision.ensure_base_images(log=lambda msg: None)


@pytest.fixture(scope="session")
def sample_images(base_images):
    """Every sample variant built once: name -> BuildResult (tag ``dockopt-test/snsw:<name>``)."""
    from helpers import sample
    from helpers.engine import buildkit

    sample.ensure_weights()
    built = {}
    for v in sample.VARIANTS:
        built[v.name] = buildkit.build(sample.SAMPLE_CONTEXT, v.dockerfile, f"{TEST_TAG}:{v.name}",
                                       build_args=sample.build_args(v))
    return built
