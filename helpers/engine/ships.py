"""Start an image the way it ships and judge whether it does its job.

The container runs the image's own ENTRYPOINT and CMD (or the user's ``--run-arg`` in place of
CMD, and their ``--run-env``), as the user the image names. It is judged, in this order:

- the image has a HEALTHCHECK: it must become ``healthy`` (the image's own probe; only its
  interval is shortened, to ``HEALTH_INTERVAL_S``, so a 30 s interval does not make every check
  wait 30 s, and the shown command says so);
- else it EXPOSEs a TCP port: the port must accept a TCP connection inside the container's own
  network namespace (nothing is published on the host);
- else the main process must still be running after the settle time, or have exited 0 (a
  one-shot CLI image).

While it runs, pid 1's uid is read, and ``docker diff`` tells what the app wrote at start-up
(the evidence the non-root transform needs). The container is always removed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from helpers.engine import connect, containers
from helpers.engine.containers import RunOptions

HEALTH_INTERVAL_S = 2.0
SETTLE_S = 5.0
TIMEOUT_S = 90.0
POLL_S = 0.5
LOG_LINES = 20
NOT_WRITES = ("/tmp", "/proc", "/dev", "/sys", "/run", "/var/run", "/var/tmp")
NS = 1_000_000_000  # the engine's durations are in nanoseconds


@dataclass
class ShipCheck:
    """The verdict on one image started as it ships, with the evidence behind it.

    ``state`` is one of: ``healthy``, ``listening``, ``running``, ``exited 0`` (passing), or
    ``unhealthy``, ``health timeout``, ``not listening``, ``exited N``, ``failed to start``.
    """

    state: str
    ok: bool
    how: str  # what was judged and what was seen, one sentence
    command: str  # the `docker run` line that starts the image the same way
    seconds: float
    exit_code: int | None = None
    log_tail: str = ""
    uid: int | None = None
    writes: list[str] = field(default_factory=list)  # paths added or changed by the app (docker diff)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Plan:
    """What to judge, read from the image's config."""

    healthcheck: dict | None
    ports: tuple[int, ...]

    @classmethod
    def from_config(cls, config: dict) -> "Plan":
        health = config.get("Healthcheck") or None
        if health and (health.get("Test") or ["NONE"])[0] == "NONE":
            health = None
        ports = tuple(sorted(int(p.split("/")[0]) for p in (config.get("ExposedPorts") or {})
                             if p.endswith("/tcp") or "/" not in p))
        return cls(health, ports)

    def deadline(self, timeout_s: float) -> float:
        """How long to wait: long enough for the image's own start period and retries."""
        if not self.healthcheck:
            return timeout_s
        start = (self.healthcheck.get("StartPeriod") or 0) / NS
        probe = (self.healthcheck.get("Timeout") or 30 * NS) / NS
        retries = self.healthcheck.get("Retries") or 3
        return max(timeout_s, start + (retries + 1) * (HEALTH_INTERVAL_S + probe))

    def container_health(self) -> dict | None:
        if not self.healthcheck:
            return None
        return {**{k: v for k, v in self.healthcheck.items() if v}, "Interval": int(HEALTH_INTERVAL_S * NS)}

    def shown_flags(self) -> list[str]:
        return [f"--health-interval={HEALTH_INTERVAL_S:g}s"] if self.healthcheck else []


EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception)|panic|FATAL|fatal)\b.*")


def tail(text: str, lines: int = LOG_LINES) -> str:
    """The log's last lines, preceded by its first exception when that scrolled out of them: a
    server's own shutdown traceback must not hide the exception that made the app fail."""
    all_lines = text.rstrip().splitlines()
    last = all_lines[-lines:]
    first = next((i for i, line in enumerate(all_lines) if EXCEPTION_LINE.match(line)), None)
    if first is None or first >= len(all_lines) - lines:
        return "\n".join(last)
    header = next((i for i in range(first, max(-1, first - 40), -1)
                   if all_lines[i].startswith("Traceback (most recent call last)")), None)
    begin = max(first - 6, header if header is not None else first - 6, 0)
    block = ([all_lines[header]] if header is not None and header < begin else []) + all_lines[begin:first + 1]
    return "\n".join(block + ["[...]"] + last)


def written_paths(diff: list[dict] | None) -> list[str]:
    """Paths the app added (kind 1) or changed (kind 0), outside the kernel's and temp folders."""
    out = []
    for change in diff or []:
        path = change.get("Path") or ""
        if change.get("Kind") in (0, 1) and not any(path == p or path.startswith(p + "/") for p in NOT_WRITES):
            out.append(path)
    return out


def port_accepts(pid: int, port: int) -> bool | None:
    """Whether ``port`` accepts a TCP connection on loopback inside the network namespace of
    ``pid`` (a container's main process). None when this host cannot enter that namespace
    (a remote engine, or not root), so the caller says the port was not checked."""
    netns = Path(f"/proc/{pid}/ns/net")
    nsenter = shutil.which("nsenter")
    if not pid or not nsenter or os.geteuid() != 0 or not netns.exists():
        return None
    probe = ("import socket, sys\n"
             "for family, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):\n"
             "    try:\n"
             f"        socket.create_connection((host, {port}), timeout=1).close(); sys.exit(0)\n"
             "    except OSError: pass\n"
             "sys.exit(1)\n")
    try:
        done = subprocess.run([nsenter, f"--net={netns}", sys.executable, "-c", probe],
                              capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.returncode == 0


def check(image: str, options: RunOptions | None = None, settle_s: float = SETTLE_S,
          timeout_s: float = TIMEOUT_S, cli=None) -> ShipCheck:
    """Start ``image`` with its own ENTRYPOINT/CMD and judge it (see the module docstring)."""
    import docker.errors

    options = options or RunOptions()
    cli = cli or connect.client()
    config = (cli.api.inspect_image(image).get("Config") or {})
    plan = Plan.from_config(config)
    command = options.docker_run(image, plan.shown_flags())
    start = time.perf_counter()
    kwargs = {"environment": options.environment() or None, "healthcheck": plan.container_health()}
    try:
        with containers.started(image, list(options.args) or None, cli, **kwargs) as container:
            verdict = watch(container, plan, settle_s, plan.deadline(timeout_s), start)
            if verdict.ok and verdict.state in ("healthy", "listening"):
                verdict = hold(container, verdict, settle_s, start)
            verdict.command = command
            with_evidence(container, verdict)
            return verdict
    except docker.errors.APIError as exc:
        return ShipCheck("failed to start", False, f"the engine could not start it: {exc.explanation or exc}",
                         command, round(time.perf_counter() - start, 1))


def watch(container, plan: Plan, settle_s: float, deadline_s: float, start: float) -> ShipCheck:
    uid = None
    listening_checked = True
    while True:
        container.reload()
        waited = time.perf_counter() - start
        state = container.attrs.get("State") or {}
        if uid is None and container.status == "running":
            uid = containers.actual_uid(container)
        if container.status not in ("running", "created", "restarting"):
            code = state.get("ExitCode")
            one_shot = not plan.healthcheck and not plan.ports
            if code == 0 and one_shot:
                return verdict("exited 0", True, f"a one-shot command: exited 0 after {waited:.1f} s", waited, code, uid)
            expected = ("become healthy" if plan.healthcheck else
                        f"accept connections on port {plan.ports[0]}" if plan.ports else "keep running")
            return verdict(f"exited {code}", False, f"exited {code} after {waited:.1f} s instead of "
                           f"going on to {expected}", waited, code, uid)
        if plan.healthcheck:
            status = ((state.get("Health") or {}).get("Status"))
            if status == "healthy":
                return verdict("healthy", True, f"its HEALTHCHECK reported healthy after {waited:.1f} s", waited, None, uid)
            if status == "unhealthy":
                probes = (state.get("Health") or {}).get("Log") or []
                last = (probes[-1].get("Output") or "").strip()[-300:] if probes else ""
                return verdict("unhealthy", False, f"its HEALTHCHECK reported unhealthy after {waited:.1f} s"
                               + (f"; last probe said: {last}" if last else ""), waited, None, uid)
        elif plan.ports:
            answers = [port_accepts(state.get("Pid") or 0, port) for port in plan.ports]
            if any(answers):
                port = plan.ports[answers.index(True)]
                return verdict("listening", True, f"port {port} accepted a TCP connection after {waited:.1f} s",
                               waited, None, uid)
            if all(a is None for a in answers):
                listening_checked = False
                if waited >= settle_s:
                    return verdict("running", True, f"still running after {waited:.1f} s (port "
                                   f"{plan.ports[0]} not checked: this host cannot enter the container's network)",
                                   waited, None, uid)
        elif waited >= settle_s:
            return verdict("running", True, f"its main process was still running after {waited:.1f} s", waited, None, uid)
        if waited > deadline_s:
            if plan.healthcheck:
                return verdict("health timeout", False, f"its HEALTHCHECK had not reported healthy after {waited:.0f} s",
                               waited, None, uid)
            assert listening_checked
            return verdict("not listening", False, f"no EXPOSEd port ({', '.join(map(str, plan.ports))}) accepted "
                           f"a TCP connection within {waited:.0f} s", waited, None, uid)
        time.sleep(POLL_S)


def hold(container, passed: ShipCheck, settle_s: float, start: float) -> ShipCheck:
    """A service that answered must still be running ``settle_s`` later: a server binds its port
    before its workers load the app, and what the app writes at start-up (the non-root
    transform's evidence) comes after that."""
    until = time.perf_counter() + settle_s
    while time.perf_counter() < until:
        time.sleep(POLL_S)
        container.reload()
        if container.status not in ("running", "created", "restarting"):
            code = (container.attrs.get("State") or {}).get("ExitCode")
            waited = time.perf_counter() - start
            return verdict(f"exited {code}", False, f"{passed.how}, then exited {code} after {waited:.1f} s",
                           waited, code, passed.uid)
    passed.how += f"; still running {settle_s:g} s later"
    return passed


def verdict(state: str, ok: bool, how: str, waited: float, code: int | None, uid: int | None) -> ShipCheck:
    return ShipCheck(state, ok, how, "", round(waited, 1), code, uid=uid)


def with_evidence(container, result: ShipCheck) -> None:
    """The log tail and what the app wrote, read before the container is removed."""
    import docker.errors

    try:
        result.log_tail = tail(container.logs(stdout=True, stderr=True).decode(errors="replace"))
        result.writes = written_paths(container.diff())
    except docker.errors.APIError:
        pass
