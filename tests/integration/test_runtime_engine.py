"""What only a running container shows: its uid, its health, the sample's smoke command."""

from __future__ import annotations

import pytest

from helpers import sample
from helpers.engine import buildkit, connect, containers
from helpers.engine.base_images import PYTHON_TAG
from helpers.engine.labels import LABEL
from helpers.image.inspection import runtime_checks
from helpers.security.runtime import measure_uid

# An image whose ENTRYPOINT ignores its arguments, as real boot scripts do: a command of ours
# handed to it as arguments would never run (regression: the uid probe and the smoke command).
SWALLOWING_TAG = "dockopt-runner/swallowing-entrypoint:test"
SWALLOWING = ("FROM {base}\n"
              "RUN printf '#!/bin/sh\\necho \"boot script ran, ignoring: $*\"\\n' > /boot.sh && chmod +x /boot.sh "
              "&& useradd --uid 1000 app\n"
              "USER app\n"
              'ENTRYPOINT ["/boot.sh"]\n')


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


@pytest.fixture(scope="module")
def swallowing(engine, base_images, tmp_path_factory):
    ctx = tmp_path_factory.mktemp("swallowing")
    (ctx / "Dockerfile").write_text(SWALLOWING.format(base=PYTHON_TAG))
    buildkit.build(ctx, ctx / "Dockerfile", SWALLOWING_TAG)
    yield SWALLOWING_TAG
    engine.images.remove(SWALLOWING_TAG)


def test_an_entrypoint_that_ignores_its_arguments_does_not_swallow_our_commands(swallowing):
    result = runtime_checks(swallowing, smoke=["python", "-c", "print('smoke ran')"], expect="smoke ran")
    ships = result["ships"]  # started as it ships: the script runs, prints and exits at once
    assert ships["state"] == "exited 0" and "boot script ran" in ships["log_tail"], ships
    assert result["actual_uid"] == 1000, result
    smoke = result["smoke"]
    assert smoke["ok"] and "boot script ran" not in smoke["output_tail"], smoke
    assert "--entrypoint ''" in smoke["shown"] and smoke["shown"].endswith("python -c 'print('\"'\"'smoke ran'\"'\"')'")


def test_the_uid_fallback_resets_the_entrypoint_and_says_so(swallowing):
    uid, probe = containers.uid_of_a_command(swallowing)
    assert uid == 1000 and "boot script ran" not in probe.output, probe
    assert probe.shown == f"docker run --rm --entrypoint '' {swallowing} cat /proc/self/status"
    assert measure_uid(swallowing)[0] == 1000
