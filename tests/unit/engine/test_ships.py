"""The pure parts of the ship check: what an image's config asks to be judged, diff paths, log evidence."""

import pytest

from helpers.engine import ships

NS = 1_000_000_000


@pytest.mark.parametrize("config, health, ports", [
    ({}, False, ()),
    ({"ExposedPorts": {"8000/tcp": {}, "53/udp": {}}}, False, (8000,)),
    ({"Healthcheck": {"Test": ["CMD", "true"], "Interval": 30 * NS}}, True, ()),
    ({"Healthcheck": {"Test": ["NONE"]}, "ExposedPorts": {"80/tcp": {}}}, False, (80,)),  # HEALTHCHECK NONE
])
def test_plan_from_config(config, health, ports):
    plan = ships.Plan.from_config(config)
    assert bool(plan.healthcheck) is health and plan.ports == ports


def test_the_images_probe_is_kept_with_a_short_interval_and_the_wait_covers_its_retries():
    plan = ships.Plan.from_config({"Healthcheck": {"Test": ["CMD", "probe"], "Interval": 30 * NS,
                                                   "Timeout": 10 * NS, "Retries": 3, "StartPeriod": 40 * NS}})
    overridden = plan.container_health()
    assert overridden["Test"] == ["CMD", "probe"] and overridden["Interval"] == 2 * NS
    assert overridden["Retries"] == 3 and overridden["StartPeriod"] == 40 * NS
    assert plan.deadline(10) == 40 + 4 * (2 + 10)
    assert plan.shown_flags() == ["--health-interval=2s"]


def test_written_paths_leave_out_kernel_and_temp_folders_and_deletions():
    diff = [{"Path": "/app", "Kind": 0}, {"Path": "/app/logs", "Kind": 1}, {"Path": "/tmp/x", "Kind": 1},
            {"Path": "/run/app.pid", "Kind": 1}, {"Path": "/etc/old", "Kind": 2}, {"Path": "/tmpfile", "Kind": 1}]
    assert ships.written_paths(diff) == ["/app", "/app/logs", "/tmpfile"]


def test_the_first_error_is_kept_when_a_shutdown_traceback_pushes_it_out_of_the_tail():
    log = ("booting\nTraceback (most recent call last):\n  File \"app.py\", line 3\n    open('logs/app.log', 'w')\n"
           "PermissionError: [Errno 13] Permission denied: 'logs/app.log'\n" +
           "\n".join(f"[gunicorn] shutting down worker {i}" for i in range(40)))
    shown = ships.tail(log)
    assert shown.splitlines()[0].startswith("Traceback") and "PermissionError" in shown
    assert shown.splitlines()[-1] == "[gunicorn] shutting down worker 39"
    assert ships.tail("a\nb\nValueError: x\n") == "a\nb\nValueError: x"  # already in the tail: shown once
