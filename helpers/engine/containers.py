"""The one way dockopt runs a container: a one-off command, or the image started as it ships.

Every caller states what it overrides. ``run`` executes a command of dockopt's (a uid probe, a
build-tools listing, a smoke command) with the image's ENTRYPOINT reset, so the command is not
handed to an entrypoint script as arguments; ``started`` keeps the image's own ENTRYPOINT and
CMD unless told otherwise. Each result carries the ``docker run`` line that does the same, so a
report shows exactly what ran. Every container carries dockopt's label and is force-removed in a
``finally``, so Ctrl-C or a failed check leaves nothing running.

Two judgements are made here once, for every caller: whether the user's smoke command passed
(``smoke``: the report, ``optimize`` and the platform builds) and which uid a one-off command
runs as (``uid_of_a_command``: the runtime checks and the security scan).
"""

from __future__ import annotations

import contextlib
import re
import shlex
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from helpers.engine import connect
from helpers.engine.labels import for_container

HEALTH_STATES = ("healthy", "unhealthy")


@dataclass(frozen=True)
class RunOptions:
    """What the user says their app needs to start: ``docker run -e`` values, and arguments given
    to the ENTRYPOINT in place of the image's CMD (``docker run IMAGE ARG...``). Nothing is inferred."""

    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    def environment(self) -> list[str]:
        return [f"{k}={v}" for k, v in self.env.items()]

    def flags(self) -> list[str]:
        return [word for pair in self.environment() for word in ("-e", pair)]

    def docker_run(self, image: str, extra: list[str] | None = None) -> str:
        """The ``docker run`` line that starts ``image`` as dockopt does (its own ENTRYPOINT)."""
        return shlex.join(["docker", "run", "--rm", *(extra or []), *self.flags(), image, *self.args])


def shown_command(image: str, command: list[str], entrypoint: list[str] | None = None,
                  options: RunOptions | None = None) -> str:
    """The ``docker run`` line for a command dockopt runs with the image's ENTRYPOINT overridden."""
    options = options or RunOptions()
    entry, rest = (entrypoint[0], entrypoint[1:] + list(command)) if entrypoint else ("", list(command))
    return shlex.join(["docker", "run", "--rm", "--entrypoint", entry, *options.flags(), image, *rest])


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None  # None when the command outlived its timeout
    output: str  # stdout and stderr, interleaved as the engine logged them
    seconds: float
    shown: str = ""  # the `docker run` line that does the same, entrypoint override included

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
    from helpers.report.render_split import RUNTIME, spent

    cli = cli or connect.client()
    with spent(RUNTIME, image):
        container = cli.containers.create(image, command=command, labels=for_container(), **kwargs)
        try:
            container.start()
            yield container
        finally:
            _remove(container)


def run(image: str, command: list[str], timeout_s: float = 120, cli=None, *, entrypoint: list[str] | None = None,
        options: RunOptions | None = None, **kwargs) -> RunResult:
    """Run dockopt's ``command`` in a fresh container of ``image``: exit code, output, the line shown.

    The image's ENTRYPOINT is always overridden (reset, or ``entrypoint`` when given): an
    entrypoint script would otherwise receive ``command`` as its arguments, ignore it and start
    the app. ``options`` adds the user's ``-e`` values (their ``args`` are for the app's own
    command and are not used here).
    """
    import requests.exceptions

    options = options or RunOptions()
    cli = cli or connect.client()
    start = time.perf_counter()
    with started(image, command, cli, entrypoint=entrypoint or [""], environment=options.environment() or None,
                 **kwargs) as container:
        try:
            exit_code = container.wait(timeout=timeout_s).get("StatusCode")
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            exit_code = None
        output = container.logs(stdout=True, stderr=True).decode(errors="replace")
    return RunResult(exit_code, output, time.perf_counter() - start, shown_command(image, command, entrypoint, options))


SMOKE_TIMEOUT_S = 300


@dataclass(frozen=True)
class Smoke:
    """The verdict on the user's smoke command: it passes when it exits 0 and, given ``expect``,
    its output holds that text."""

    command: list[str]
    ok: bool
    exit_code: int | None
    output: str
    seconds: float
    shown: str  # the `docker run` line, entrypoint override included


def smoke(image: str, command: str | list[str], expect: str | None = None, options: RunOptions | None = None,
          timeout_s: float = SMOKE_TIMEOUT_S, cli=None, **kwargs) -> Smoke:
    """Run the user's smoke command (a shell-quoted string or an argv) and judge it.

    The one judgement the report, ``optimize`` and the platform builds share, so they cannot
    disagree about one command. Run as every command of ours is: the ENTRYPOINT reset.
    """
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    result = run(image, argv, timeout_s=timeout_s, cli=cli, options=options, **kwargs)
    return Smoke(argv, result.ok and (expect is None or expect in result.output), result.exit_code, result.output,
                 result.seconds, result.shown)


UID_PROBE = ["cat", "/proc/self/status"]


def uid_of_a_command(image: str, options: RunOptions | None = None, cli=None) -> tuple[int | None, RunResult]:
    """The uid a one-off command runs as under the image's USER (``cat /proc/self/status``, the
    ENTRYPOINT reset), and the run that says so; None when ``cat`` cannot run there.

    The fallback when the image's own command exits before pid 1 can be asked (``actual_uid``).
    """
    result = run(image, UID_PROBE, timeout_s=60, cli=cli, options=options)
    return (parse_proc_status_uid(result.output) if result.ok else None), result


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
