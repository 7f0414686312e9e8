"""Start a Docker engine where none answers: Debian, as root, no service manager needed.

``ensure_engine()`` is idempotent: when an engine already answers it does nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from helpers.engine import connect, debian_packages
from helpers.errors import EngineUnavailable

DOCKERD_LOG = Path(os.environ.get("DOCKOPT_DOCKERD_LOG", "/var/log/dockopt-dockerd.log"))
START_TIMEOUT_S = 90


def is_debian() -> bool:
    return Path("/etc/debian_version").exists()


def is_root() -> bool:
    return os.geteuid() == 0


def answers() -> bool:
    try:
        connect.client(timeout=10)
        return True
    except EngineUnavailable:
        return False


PIDFILE = Path("/var/run/docker.pid")


def remove_stale_pidfile() -> None:
    """A dockerd that was killed leaves its pid file; a new one refuses to start while it names a live pid."""
    try:
        pid = int(PIDFILE.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        cmdline = b""
    if b"dockerd" not in cmdline:
        PIDFILE.unlink(missing_ok=True)


def start_dockerd() -> int:
    """Start dockerd detached from this process, logging to DOCKERD_LOG; return its pid."""
    remove_stale_pidfile()
    DOCKERD_LOG.parent.mkdir(parents=True, exist_ok=True)
    log = open(DOCKERD_LOG, "ab")
    proc = subprocess.Popen(
        [shutil.which("dockerd") or "/usr/sbin/dockerd"],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return proc.pid


def wait_until_answers(timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if answers():
            return
        time.sleep(1)
    tail = DOCKERD_LOG.read_text(errors="replace")[-2000:] if DOCKERD_LOG.exists() else ""
    raise EngineUnavailable(
        f"dockerd was started but did not answer within {timeout_s:.0f} s.",
        hint=f"read its log in {DOCKERD_LOG}.",
        evidence=tail,
    )


def ensure_engine(install: bool = True) -> str:
    """Make sure an engine answers; return a sentence saying what was done."""
    if answers():
        return "engine already running"
    endpoint = connect.find_endpoint()
    if endpoint.source != "default socket":
        raise EngineUnavailable(
            f"No Docker engine answers at {endpoint.host} (from {endpoint.source}).",
            hint="start the engine that endpoint names, or unset it to let dockopt start a local one.",
        )
    if not (is_debian() and is_root()):
        raise EngineUnavailable(
            "No Docker engine answers and dockopt can only start one on Debian as root.",
            hint="start Docker yourself (`sudo systemctl start docker`, Docker Desktop, colima) "
            "or set DOCKER_HOST to a running engine.",
        )
    did = []
    if not shutil.which("dockerd") and not Path("/usr/sbin/dockerd").exists():
        if not install:
            raise EngineUnavailable("dockerd is not installed.", hint="run `make engine`.")
        debian_packages.ensure("docker.io", "dockerd", "to run a Docker engine")
        did.append("installed docker.io")
    pid = start_dockerd()
    did.append(f"started dockerd (pid {pid}, log {DOCKERD_LOG})")
    wait_until_answers()
    return "; ".join(did)
