"""Shared fixtures. Engine-tier fixtures are session-scoped: each image is built once per run."""

from __future__ import annotations

import pytest

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
    from tests.support.sample_images import build_variant

    return {v.name: build_variant(v.name) for v in sample.VARIANTS}
