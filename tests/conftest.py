"""Shared fixtures. Engine-tier fixtures are session-scoped: each image is built once per run."""

from __future__ import annotations

import pytest

_SESSION_CLEANUP: list[str] = []  # what the clean-up below did, for the terminal summary


@pytest.fixture(scope="session", autouse=True)
def release_what_the_session_built(tmp_path_factory):
    """At the end of the session, what its measurements built (tests/support/session_cleanup.py)."""
    yield
    from tests.support.session_cleanup import clean_session

    said = clean_session(tmp_path_factory.getbasetemp())
    if said:
        _SESSION_CLEANUP.append(said)


def pytest_terminal_summary(terminalreporter):
    for line in _SESSION_CLEANUP:
        terminalreporter.write_line(line)


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
