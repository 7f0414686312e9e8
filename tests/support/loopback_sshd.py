"""An ssh server on a loopback port, for tests that reach an engine by ``ssh://root@127.0.0.1:PORT``.

Debian's ``openssh-server`` (``/usr/sbin/sshd``), started with a config of its own in a directory of
its own: a throwaway host key, a throwaway client key allowed to log in as root (and nothing else:
no passwords, no PAM), ``DOCKER_HOST`` set for the sessions it opens (``SetEnv``), so the ``docker
system dial-stdio`` an ssh:// client runs there reaches the engine under test, not this machine's
default one. ``stop()`` ends it by its pid and deletes the directory.

The client side is what a user's ``~/.ssh/config`` and ``known_hosts`` would say, kept in the same
directory: ``env()`` puts a ``bin/ssh`` first on ``PATH`` that runs the system ``ssh`` with ``-F``
that config, since ssh reads ``~/.ssh`` from the password database, never from ``$HOME``. The docker
CLI and the docker SDK (``use_ssh_client``) both run ``ssh`` from ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from tests.support.second_engine import free_loopback_port

SSHD = "/usr/sbin/sshd"  # sshd re-executes itself: it must be started by its absolute path
SSH = "/usr/bin/ssh"
PRIVSEP_DIR = Path("/run/sshd")  # Debian's sshd refuses to start without it (its init script makes it)
START_TIMEOUT_S = 20


def unavailable() -> str | None:
    """Why no test sshd can run here (None: it can)."""
    if not Path(SSHD).is_file():
        return f"{SSHD} is not installed (Debian package openssh-server)"
    if not shutil.which(SSH) and not Path(SSH).is_file():
        return f"{SSH} is not installed (Debian package openssh-client)"
    if os.geteuid() != 0:
        return "sshd for a root login needs root"
    return None


class LoopbackSshd:
    """sshd on 127.0.0.1:``port``; sessions get ``DOCKER_HOST=docker_host``."""

    def __init__(self, directory: Path, docker_host: str) -> None:
        self.dir = Path(directory)
        self.docker_host = docker_host
        self.port = free_loopback_port()
        self.log = self.dir / "sshd.log"
        self.proc: subprocess.Popen | None = None
        self._made_privsep = False

    @property
    def url(self) -> str:
        return f"ssh://root@127.0.0.1:{self.port}"

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """An environment whose ``ssh`` logs in with the throwaway key and knows the host key."""
        env = dict(os.environ if base is None else base)
        env["PATH"] = f"{self.dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return env

    def start(self) -> "LoopbackSshd":
        try:
            self._write_files()
            if not PRIVSEP_DIR.is_dir():
                PRIVSEP_DIR.mkdir(mode=0o755)
                self._made_privsep = True
            self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.dir / "sshd_config")],
                                         stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            deadline = time.monotonic() + START_TIMEOUT_S
            while time.monotonic() < deadline and self.proc.poll() is None:
                if self._listening():
                    return self
                time.sleep(0.2)
            raise RuntimeError(f"the test sshd did not listen on 127.0.0.1:{self.port}:\n"
                               + self.log.read_text(errors="replace")[-2000:])
        except BaseException:
            self.stop()
            raise

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def _write_files(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        for key in ("host_key", "client_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dockopt test (throwaway)",
                            "-f", str(self.dir / key)], check=True, capture_output=True)
        (self.dir / "authorized_keys").write_text((self.dir / "client_key.pub").read_text())
        host_pub = (self.dir / "host_key.pub").read_text().split()
        (self.dir / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n")
        (self.dir / "sshd_config").write_text(f"""# org.dockopt.managed: a throwaway test sshd (tests/support/loopback_sshd.py)
Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.dir / 'host_key'}
PidFile {self.dir / 'sshd.pid'}
AuthorizedKeysFile {self.dir / 'authorized_keys'}
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding no
X11Forwarding no
SetEnv DOCKER_HOST={self.docker_host}
""")
        (self.dir / "ssh_config").write_text(f"""# org.dockopt.managed: what a user's ~/.ssh/config says for this engine
Host 127.0.0.1
    Port {self.port}
    User root
    IdentityFile {self.dir / 'client_key'}
    IdentitiesOnly yes
    UserKnownHostsFile {self.dir / 'known_hosts'}
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    LogLevel ERROR
""")
        wrapper = self.dir / "bin" / "ssh"
        wrapper.parent.mkdir(exist_ok=True)
        wrapper.write_text(f'#!/bin/sh\nexec {SSH} -F "{self.dir / "ssh_config"}" "$@"\n')
        wrapper.chmod(0o755)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the listener and any session it forked
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self._made_privsep:
            try:
                PRIVSEP_DIR.rmdir()
            except OSError:  # another sshd uses it now: not ours to take away
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
