"""What only a running container shows: its uid, its health, the sample's smoke command."""

from __future__ import annotations

import pytest

from helpers import sample
from helpers.engine import connect, containers
from helpers.engine.labels import LABEL
from helpers.image.inspection import runtime_checks


@pytest.fixture(scope="session")
def runtime(sample_tag):
    results = {}

    def get(name: str) -> dict:
        if name not in results:
            results[name] = runtime_checks(sample_tag(name), smoke=sample.SMOKE_COMMAND, expect=sample.SMOKE_EXPECT)
        return results[name]

    return get


@pytest.mark.parametrize("variant, uid", [("original", 0), ("phase2", 1000), ("phase3", 1000)])
def test_actual_uid(variant, uid, runtime):
    assert runtime(variant)["actual_uid"] == uid


@pytest.mark.parametrize("variant", ["phase2", "phase3"])
def test_healthcheck_reaches_healthy(variant, runtime):
    result = runtime(variant)
    assert result["healthcheck"] is True
    assert result["health"] == "healthy", result


def test_no_healthcheck_in_the_original(runtime):
    assert runtime("original")["healthcheck"] is False and runtime("original")["health"] == "none"


@pytest.mark.parametrize("variant", ["original", "phase1", "phase2", "phase3"])
def test_smoke_command_passes(variant, runtime):
    smoke = runtime(variant)["smoke"]
    assert smoke["ok"], smoke


def test_containers_are_removed_even_on_ctrl_c(sample_tag):
    cli = connect.client()
    with pytest.raises(KeyboardInterrupt):
        with containers.started(sample_tag("phase1"), ["sleep", "60"], cli) as container:
            assert container.labels.get(LABEL) == "true"
            created = container.id
            raise KeyboardInterrupt
    assert not cli.containers.list(all=True, filters={"id": created})


def test_a_failing_command_is_reported_not_raised(sample_tag):
    result = containers.run(sample_tag("phase1"), ["python", "-c", "import sys; print('boom'); sys.exit(3)"])
    assert (result.exit_code, result.ok) == (3, False) and "boom" in result.output
