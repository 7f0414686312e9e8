"""A second Docker engine on this machine, for tests that need a pool of two (DESIGN.md's recipe).

The engine is a real ``dockerd`` with a directory of its own (data-root, exec-root, pid file,
unix socket, log) and a bridge of its own on an unused private /16, so its containers and
BuildKit RUN steps have network without touching the main engine's ``docker0``. Everything it
creates is labelled: the daemon carries ``--label org.dockopt.managed=true``, the bridge's alias
names its owner. ``stop()`` ends the daemon by its pid file, deletes the bridge and the directory.

Needs root (dockerd, ip link). Base images come from the main engine by ``docker save | docker
load`` (no registry here).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

DOCKER = "/usr/bin/docker"  # Debian's 20.10 client: builds with BuildKit and does save/load
BRIDGE_ALIAS = "org.dockopt.managed test engine"
START_TIMEOUT_S = 90


def used_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 network this machine already routes or has an address in."""
    nets = []
    for argv in (["ip", "-4", "-o", "addr"], ["ip", "-4", "route"]):
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        for word in out.split():
            if "/" in word and word[0].isdigit():
                try:
                    nets.append(ipaddress.ip_network(word, strict=False))
                except ValueError:
                    pass
    return nets


def free_private_16(start: int = 213) -> ipaddress.IPv4Network:
    """A 10.N.0.0/16 that overlaps nothing on this machine (docker's own pools are 172.17+/16)."""
    used = used_networks()
    for n in list(range(start, 255)) + list(range(1, start)):
        candidate = ipaddress.ip_network(f"10.{n}.0.0/16")
        if not any(candidate.overlaps(net) for net in used):
            return candidate
    raise RuntimeError("no free 10.N.0.0/16 on this machine for the second engine's bridge")


class SecondEngine:
    """One extra dockerd; ``host`` is its ``DOCKER_HOST``."""

    def __init__(self, directory: Path, name: str = "dkopt-fleet1") -> None:
        self.dir = Path(directory)
        self.bridge = name[:15]  # Linux interface names: at most 15 characters
        self.network = free_private_16()
        self.pidfile = self.dir / "pid"
        self.socket = self.dir / "sock"
        self.log = self.dir / "dockerd.log"
        self.proc: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": self.host}

    def start(self) -> "SecondEngine":
        self.dir.mkdir(parents=True, exist_ok=True)
        gateway = f"{next(self.network.hosts())}/{self.network.prefixlen}"
        stale = subprocess.run(["ip", "link", "show", "dev", self.bridge], capture_output=True, text=True)
        if stale.returncode == 0 and BRIDGE_ALIAS in stale.stdout:  # ours, left by a run that was killed
            self._ip("link", "del", "dev", self.bridge)
        self._ip("link", "add", "name", self.bridge, "type", "bridge")
        self._ip("link", "set", "dev", self.bridge, "alias", BRIDGE_ALIAS)
        self._ip("addr", "add", gateway, "dev", self.bridge)
        self._ip("link", "set", "dev", self.bridge, "up")
        self.proc = subprocess.Popen(
            [shutil.which("dockerd") or "/usr/sbin/dockerd", "--data-root", str(self.dir / "root"),
             "--exec-root", str(self.dir / "exec"), "--pidfile", str(self.pidfile), "-H", self.host,
             f"--bridge={self.bridge}", "--label", "org.dockopt.managed=true",
             "--label", "org.dockopt.purpose=test-second-engine"],
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.answers():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        tail = self.log.read_text(errors="replace")[-3000:]
        self.stop()
        raise RuntimeError(f"the second dockerd did not answer on {self.host}:\n{tail}")

    def answers(self) -> bool:
        proc = subprocess.run([DOCKER, "version", "--format", "{{.Server.Version}}"], env=self.env(),
                              capture_output=True, text=True, timeout=20)
        return proc.returncode == 0

    def load_images(self, *tags: str) -> None:
        """Copy images from the main engine: ``docker save | docker load`` (no registry needed)."""
        main_env = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"}
        save = subprocess.Popen([DOCKER, "save", *tags], stdout=subprocess.PIPE, env=main_env)
        load = subprocess.run([DOCKER, "load"], stdin=save.stdout, env=self.env(), capture_output=True, text=True)
        save.stdout.close()
        if save.wait() != 0 or load.returncode != 0:
            raise RuntimeError(f"docker save | docker load of {tags} failed: {load.stderr}")

    def pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """The engine vanishes at once (SIGKILL), as a crashed or unplugged one would."""
        pid = self.pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        pid = self.pid()
        if pid and self.proc is not None and self.proc.poll() is None:
            os.kill(pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self._kill_leftover_containerd()
        subprocess.run(["umount", "-R", str(self.dir / "exec")], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)
        for mount in self._mounts_under(self.dir):
            subprocess.run(["umount", "-l", mount], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _kill_leftover_containerd(self) -> None:
        """A SIGKILLed dockerd leaves its containerd (and shims) running; they are found by our exec-root."""
        marker = str(self.dir / "exec").encode()
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if marker in cmdline:
                try:
                    os.kill(int(proc.name), signal.SIGKILL)
                except OSError:
                    pass

    @staticmethod
    def _mounts_under(root: Path) -> list[str]:
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
        return sorted((m for m in mounts if m.startswith(str(root))), key=len, reverse=True)

    @staticmethod
    def _ip(*argv: str) -> None:
        subprocess.run(["ip", *argv], check=True, capture_output=True, text=True)
