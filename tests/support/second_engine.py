"""A second Docker engine on this machine, for tests that need a pool of two (DESIGN.md's recipe).

The engine is a real ``dockerd`` with a directory of its own (data-root, exec-root, pid file,
unix socket, log) and a bridge of its own on an unused private /16, so its containers and
BuildKit RUN steps have network without touching the main engine's ``docker0``. Everything it
creates is labelled: the daemon carries ``--label org.dockopt.managed=true``, the bridge's alias
names its owner. ``stop()`` ends the daemon by its pid file, deletes the bridge and the directory.

With ``tls=True`` it also listens on a loopback TCP port with ``--tlsverify``, as a remote engine
would: a throwaway CA signs its server certificate and one client certificate (``openssl``, in the
engine's directory, gone with it); ``tls_env()`` is what a client needs (``DOCKER_HOST``,
``DOCKER_TLS_VERIFY``, ``DOCKER_CERT_PATH``), ``foreign_certs()`` a client folder the engine does
not trust.

Needs root (dockerd, ip link). Base images come from the main engine by ``docker save | docker
load`` (no registry here).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
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


def free_loopback_port() -> int:
    """A TCP port nothing listens on now (the kernel's pick; taken by the caller a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CERT_DAYS = "2"  # throwaway: the certificates outlive no test run
OWNER = "dockopt test engine (throwaway, org.dockopt.managed)"


def _openssl(*argv: str, cwd: Path) -> None:
    proc = subprocess.run(["openssl", *argv], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(argv[:2])} failed: {proc.stderr.strip()}")


def make_ca(directory: Path, name: str) -> Path:
    """A CA (ca.pem, ca-key.pem) that signs certificates for one test run."""
    directory.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", CERT_DAYS, "-subj", f"/O={OWNER}/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=directory)
    return directory


def sign(ca: Path, out: Path, stem: str, common_name: str, usage: str, alt_names: str = "") -> None:
    """``stem``-cert.pem / ``stem``-key.pem signed by ``ca``, for ``usage`` (serverAuth or clientAuth)."""
    out.mkdir(parents=True, exist_ok=True)
    ext = out / f"{stem}.ext"
    ext.write_text(f"extendedKeyUsage={usage}\nkeyUsage=critical,digitalSignature\n"
                   "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                   + (f"subjectAltName={alt_names}\n" if alt_names else ""))
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{stem}-key.pem",
             "-out", f"{stem}.csr", "-subj", f"/O={OWNER}/CN={common_name}", cwd=out)
    _openssl("x509", "-req", "-in", f"{stem}.csr", "-CA", str(ca / "ca.pem"), "-CAkey", str(ca / "ca-key.pem"),
             "-CAcreateserial", "-out", f"{stem}-cert.pem", "-days", CERT_DAYS, "-extfile", ext.name, cwd=out)
    (out / f"{stem}.csr").unlink()
    ext.unlink()


def client_folder(ca: Path, out: Path) -> Path:
    """What DOCKER_CERT_PATH names: ca.pem (to check the engine), cert.pem and key.pem (to be let in)."""
    sign(ca, out, "client", "dockopt test client", "clientAuth")
    (out / "client-cert.pem").rename(out / "cert.pem")
    (out / "client-key.pem").rename(out / "key.pem")
    shutil.copy(ca / "ca.pem", out / "ca.pem")
    return out


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

    def __init__(self, directory: Path, name: str = "dkopt-fleet1", tls: bool = False) -> None:
        self.dir = Path(directory)
        self.tls_port = free_loopback_port() if tls else None
        self.bridge = name[:15]  # Linux interface names: at most 15 characters
        self.network = free_private_16()
        self.pidfile = self.dir / "pid"
        self.socket = self.dir / "sock"
        self.log = self.dir / "dockerd.log"
        self.proc: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def tls_host(self) -> str:
        return f"tcp://127.0.0.1:{self.tls_port}"

    @property
    def client_certs(self) -> Path:
        return self.dir / "tls" / "client"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": self.host}

    def tls_env(self, cert_path: Path | None = None) -> dict[str, str]:
        """A client environment that reaches this engine over TCP with TLS (the CLI's and the SDK's)."""
        env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_CONTEXT",)}
        return {**env, "DOCKER_HOST": self.tls_host, "DOCKER_TLS_VERIFY": "1",
                "DOCKER_CERT_PATH": str(cert_path or self.client_certs)}

    def foreign_certs(self, trust_engine: bool) -> Path:
        """A client folder whose certificate another CA signed: the engine refuses it. With
        ``trust_engine`` its ca.pem is the engine's (the engine says no); without, the client's own
        CA does not know the engine either (the client says no first)."""
        other = self.dir / "tls" / "foreign-ca"
        if not (other / "ca.pem").is_file():
            make_ca(other, "a CA this engine does not trust")
        out = self.dir / "tls" / ("foreign-client-trusting" if trust_engine else "foreign-client")
        if not (out / "cert.pem").is_file():
            client_folder(other, out)
            if trust_engine:
                shutil.copy(self.dir / "tls" / "ca" / "ca.pem", out / "ca.pem")
        return out

    def _tls_args(self) -> list[str]:
        if self.tls_port is None:
            return []
        ca = make_ca(self.dir / "tls" / "ca", "dockopt test engine CA")
        server = self.dir / "tls" / "server"
        sign(ca, server, "server", "127.0.0.1", "serverAuth", "IP:127.0.0.1,DNS:localhost")
        client_folder(ca, self.client_certs)
        return ["-H", self.tls_host, "--tlsverify", "--tlscacert", str(ca / "ca.pem"),
                "--tlscert", str(server / "server-cert.pem"), "--tlskey", str(server / "server-key.pem")]

    def start(self) -> "SecondEngine":
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            tls_args = self._tls_args()
        except Exception:
            self.stop()
            raise
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
             *tls_args, f"--bridge={self.bridge}", "--label", "org.dockopt.managed=true",
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
