"""Run things in an image: a one-off command, or a started container watched for its health.

Every container carries dockopt's label and is force-removed in a ``finally``, so Ctrl-C or a
failed check leaves nothing running.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from helpers.engine import connect
from helpers.engine.labels import ours

HEALTH_STATES = ("healthy", "unhealthy")


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None  # None when the command outlived its timeout
    output: str  # stdout and stderr, interleaved as the engine logged them
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def _remove(container) -> None:
    import docker.errors

    with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
        container.remove(force=True)


@contextlib.contextmanager
def started(image: str, command: list[str] | None = None, cli=None, **kwargs) -> Iterator[object]:
    """A running container of ``image`` (its own CMD unless ``command``), removed on exit."""
    cli = cli or connect.client()
    container = cli.containers.create(image, command=command, labels=ours(), **kwargs)
    try:
        container.start()
        yield container
    finally:
        _remove(container)


def run(image: str, command: list[str], timeout_s: float = 120, cli=None, **kwargs) -> RunResult:
    """Run ``command`` in a fresh container of ``image`` and return its exit code and output."""
    import requests.exceptions

    cli = cli or connect.client()
    start = time.perf_counter()
    with started(image, command, cli, **kwargs) as container:
        try:
            exit_code = container.wait(timeout=timeout_s).get("StatusCode")
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            exit_code = None
        output = container.logs(stdout=True, stderr=True).decode(errors="replace")
    return RunResult(exit_code, output, time.perf_counter() - start)


def health(container) -> str | None:
    """The container's health status now (starting/healthy/unhealthy), None without HEALTHCHECK."""
    container.reload()
    return ((container.attrs.get("State") or {}).get("Health") or {}).get("Status")


def wait_health(container, timeout_s: float = 60, poll_s: float = 0.5) -> tuple[str, float]:
    """Poll until the health status settles; return (status, seconds waited).

    Status is ``healthy`` or ``unhealthy`` when the engine decided, ``timeout`` when it did not
    in time, ``exited`` when the container stopped first, ``none`` without a HEALTHCHECK.
    """
    start = time.perf_counter()
    while True:
        status = health(container)
        waited = time.perf_counter() - start
        if status is None:
            return "none", waited
        if status in HEALTH_STATES:
            return status, waited
        if container.status not in ("running", "created"):
            return "exited", waited
        if waited > timeout_s:
            return "timeout", waited
        time.sleep(poll_s)


def health_log(container, last: int = 3) -> list[dict]:
    """The engine's last health probe results (exit code, output), the evidence behind a status."""
    container.reload()
    log = ((container.attrs.get("State") or {}).get("Health") or {}).get("Log") or []
    return [{"exit_code": p.get("ExitCode"), "output": (p.get("Output") or "").strip()[-300:]} for p in log[-last:]]


def parse_proc_status_uid(text: str) -> int | None:
    """The real uid from a /proc/PID/status text (the ``Uid:`` line is real, effective, saved, fs)."""
    match = re.search(r"^Uid:\s+(\d+)", text, re.M)
    return int(match.group(1)) if match else None


def actual_uid(container) -> int | None:
    """The uid the container's main process (pid 1 inside it) runs as.

    Read from /proc inside the container, so it is the uid in the container's own namespace,
    whatever USER said; falls back to ``docker top`` where the image has no ``cat``.
    """
    import docker.errors

    try:  # the command may exit between our look and our question: then there is no answer here
        result = container.exec_run(["cat", "/proc/1/status"], user="0")
        if result.exit_code == 0:
            uid = parse_proc_status_uid(result.output.decode(errors="replace"))
            if uid is not None:
                return uid
        top = container.top(ps_args="-o pid,uid")
    except docker.errors.APIError:
        return None
    rows = top.get("Processes") or []
    return int(rows[0][1]) if rows else None
