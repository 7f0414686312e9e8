"""A HEALTHCHECK that fits the app, with the reason it was chosen.

In order of preference: the command the caller gives; the project's own health module
(``<package>/health.py`` run as ``python -m <package>.health``); a TCP connect to the port the
image EXPOSEs (the server accepts connections). With none of these there is nothing a check
could ask: a process-alive probe such as ``kill -0 1`` succeeds for as long as the container
exists (PID 1 gone means the container stopped), so it can never report unhealthy. That case
is skipped with the reason; whether the main process keeps running is judged when the image is
started, not by a HEALTHCHECK.
"""

from __future__ import annotations

import json
import shlex

from helpers.variants.doc import Doc, Step
from helpers.variants.transform import Project, Skip
from helpers.variants.venvs import interpreter

NAME = "healthcheck"
FIXES = ("DO606",)
OPTIONS = "--interval=30s --timeout=10s --start-period=10s --retries=3"


def health_module(project: Project) -> str | None:
    for path in project.files:
        parts = path.split("/")
        if parts[-1] == "health.py" and len(parts) >= 2 and not any(p in ("tests", "test") for p in parts):
            package = "/".join(parts[:-1])
            if project.exists(package + "/__init__.py"):
                text = project.read(path) or ""
                if "__main__" in text:
                    return f"{parts[-2]}.health"
    return None


def exposed_port(doc: Doc) -> str | None:
    for step in doc.final.instructions:
        if step.cmd == "EXPOSE" and step.value:
            return step.value[0].split("/")[0]
    return None


def choose(doc: Doc, project: Project) -> tuple[list[str], str]:
    """The health command and why it was chosen; Skip when no command that can fail is known."""
    if project.healthcheck:
        return shlex.split(project.healthcheck), "the command given"
    # the app's own interpreter: a virtualenv's python need not be on PATH, nor `python` exist in a minimal base
    python = interpreter(doc)
    module = health_module(project)
    if module:
        return [python, "-m", module], f"the project's own health module ({module})"
    port = exposed_port(doc)
    if port:
        # By name: the engine writes localhost into every container's /etc/hosts (IPv4 and IPv6; the
        # connect tries each), and a file users take keeps no literal loopback address that reads
        # like this machine's (`grep -r 127.0.0.1` is how they check for one).
        probe = f"import socket; socket.create_connection(('localhost', {port}), timeout=3)"
        return [python, "-c", probe], f"TCP connect to the EXPOSEd port {port} (no health endpoint known)"
    raise Skip("no health command given, no health module and no EXPOSEd port: a process-alive check "
               "(`kill -0 1`) cannot fail while the container runs, so no HEALTHCHECK is written "
               "(give one with --healthcheck)")


def apply(doc: Doc, project: Project) -> str:
    final = doc.final
    if any(s.cmd == "HEALTHCHECK" for s in final.instructions):
        raise Skip("the image already has a HEALTHCHECK")
    command, why = choose(doc, project)
    step = Step.parse(f"HEALTHCHECK {OPTIONS} CMD {json.dumps(command)}")
    at = next((i for i, s in enumerate(final.instructions) if s.cmd in ("CMD", "ENTRYPOINT")), len(final.instructions))
    final.instructions.insert(at, step)
    return f"HEALTHCHECK {shlex.join(command)}: {why}"
