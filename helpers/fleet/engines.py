"""Pool members: an engine named by a Docker context or a DOCKER_HOST URL, how to reach and describe it.

Every process the fleet starts for a project gets the engine in its environment (``DOCKER_HOST``
and, for TLS, ``DOCKER_TLS_VERIFY`` / ``DOCKER_CERT_PATH``), so ``dockopt report`` runs unchanged
against it. Timed builds on one machine share that machine's CPUs, so engines on this machine
(unix sockets, localhost) keep dockopt's machine-wide build lock; an engine on another host gets a
lock of its own (``DOCKOPT_BUILD_LOCK``) and its timed builds run alongside the others'.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from helpers.engine import connect
from helpers.errors import DockoptError

SCHEMES = ("unix", "tcp", "ssh", "npipe")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}


@dataclass
class Engine:
    """One engine of the pool. ``name`` is what the user typed (context name or URL)."""

    name: str
    host: str  # the DOCKER_HOST URL
    tls: dict[str, str] = field(default_factory=dict)  # DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, when used
    info: dict = field(default_factory=dict)  # version, CPUs, ... once described

    @property
    def slug(self) -> str:
        """A file-name-safe, stable name for this engine (its history folder)."""
        readable = re.sub(r"[^a-zA-Z0-9._-]+", "-", self.name).strip("-.")[:40] or "engine"
        return f"{readable}-{hashlib.sha256(self.host.encode()).hexdigest()[:8]}"

    @property
    def machine(self) -> str:
        """The host the engine runs on, as far as its URL says ("this machine" for sockets)."""
        parsed = urlparse(self.host)
        if parsed.scheme in ("unix", "npipe") or (parsed.hostname or "") in LOCAL_HOSTS:
            return "this machine"
        return parsed.hostname or self.host

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The environment a process needs to use this engine, and only this engine."""
        env = dict(os.environ if base is None else base)
        for key in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
            env.pop(key, None)
        env["DOCKER_HOST"] = self.host
        env.update(self.tls)
        if self.machine != "this machine":
            safe = re.sub(r"[^a-zA-Z0-9._-]+", "-", self.machine)
            env["DOCKOPT_BUILD_LOCK"] = str(Path(tempfile.gettempdir()) / f"dockopt-build-{safe}.lock")
        return env

    def client(self, timeout: int = 30):
        return connect.sdk_client(self.host, timeout=timeout, environ=self.env())

    def unreachable(self, exc: BaseException) -> str:
        """Why this engine did not answer, in one line (TLS: which check failed, with which certificates)."""
        return connect.unreachable_reason(exc, self.env())

    def answers(self, timeout: int = 10) -> bool:
        try:
            cli = self.client(timeout=timeout)
            try:
                return bool(cli.ping())
            finally:
                cli.close()
        except Exception:  # the SDK raises several unrelated types for "nobody home"
            return False

    def describe(self) -> dict:
        """Version, CPUs, memory and identity, as the engine reports them (what each number was measured on)."""
        cli = self.client()
        try:
            info, version = cli.info(), cli.version()
        finally:
            cli.close()
        self.info = {
            "name": self.name, "host": self.host, "machine": self.machine,
            "engine_version": version.get("Version", "?"), "api_version": version.get("ApiVersion", "?"),
            "cpus": int(info.get("NCPU", 0)), "memory_bytes": int(info.get("MemTotal", 0)),
            "os_arch": f"{version.get('Os', '?')}/{version.get('Arch', '?')}",
            "storage_driver": info.get("Driver", "?"), "engine_name": info.get("Name", "?"),
            # ID alone is not unique: a 20.10 engine takes it from /etc/docker/key.json, shared by
            # every dockerd on one machine; the data root tells two of them apart.
            "engine_id": f"{info.get('ID', '?')}@{info.get('DockerRootDir', '?')}",
        }
        return self.info

    def label(self) -> str:
        i = self.info
        if not i:
            return self.name
        return f"{self.name}: Docker {i['engine_version']}, {i['cpus']} CPUs, {self.machine}"


def context_tls(name: str, config_dir: Path | None = None) -> dict[str, str]:
    """TLS material a docker context stores for its engine, as the env vars the CLI and SDK read."""
    config_dir = config_dir or connect.docker_config_dir()
    digest = hashlib.sha256(name.encode()).hexdigest()
    tls_dir = config_dir / "contexts" / "tls" / digest / "docker"
    if (tls_dir / "ca.pem").is_file() or (tls_dir / "cert.pem").is_file():
        return {"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tls_dir)}
    return {}


def parse_engine(text: str, config_dir: Path | None = None) -> Engine:
    """``unix:///path``, ``tcp://host:2376``, ``ssh://user@host`` or the name of a docker context.

    A tcp URL uses TLS when ``DOCKER_TLS_VERIFY`` / ``DOCKER_CERT_PATH`` are set (as for the CLI)."""
    text = text.strip()
    if "://" in text:
        scheme = text.split("://", 1)[0]
        if scheme not in SCHEMES:
            raise DockoptError(f"Engine {text!r}: unknown scheme {scheme}://.",
                               hint="use unix://, tcp:// (TLS via DOCKER_CERT_PATH) or ssh://, or a docker context name.")
        tls = {}
        if scheme == "tcp":
            tls = {k: os.environ[k] for k in ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH") if os.environ.get(k)}
        return Engine(text, text, tls)
    if text == "default":
        return Engine(text, connect.DEFAULT_SOCKET)
    host = connect.context_host(text, config_dir)
    if not host:
        raise DockoptError(f"Engine {text!r} is neither a DOCKER_HOST URL nor a docker context.",
                           hint="list contexts with `docker context ls`, or pass unix://, tcp:// or ssh:// URLs.")
    return Engine(text, host, context_tls(text, config_dir))


def parse_engines(values: list[str] | None) -> list[Engine]:
    """Engines from ``--engines`` (comma-separated and/or repeated); none given: the engine dockopt uses now."""
    names = [part for value in values or [] for part in value.split(",") if part.strip()]
    if not names:
        endpoint = connect.find_endpoint()
        tls = {k: os.environ[k] for k in ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH") if os.environ.get(k)}
        return [Engine(endpoint.source if endpoint.source.startswith("context:") else endpoint.host,
                       endpoint.host, tls)]
    engines = [parse_engine(name) for name in names]
    hosts = [e.host for e in engines]
    dupes = sorted({h for h in hosts if hosts.count(h) > 1})
    if dupes:
        raise DockoptError(f"--engines names the same engine twice ({', '.join(dupes)}).",
                           hint="each engine builds one project at a time; list it once.")
    return engines
