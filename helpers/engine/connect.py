"""Find the Docker engine to talk to and describe it.

Order, as the docker CLI itself resolves it: ``DOCKER_HOST``, then the current docker
context (``DOCKER_CONTEXT`` or ``currentContext`` in ``~/.docker/config.json``), then the
default unix socket.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import EngineUnavailable

DEFAULT_SOCKET = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class Endpoint:
    host: str
    source: str  # "DOCKER_HOST", "context:NAME" or "default socket"


@dataclass(frozen=True)
class EngineInfo:
    endpoint: str
    engine_version: str
    api_version: str
    storage_driver: str
    cpus: int
    os_arch: str
    memory_bytes: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def docker_config_dir() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG", Path.home() / ".docker"))


def context_host(name: str, config_dir: Path | None = None) -> str | None:
    """The docker host a named context points at, read from the CLI's context store."""
    config_dir = config_dir or docker_config_dir()
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config_dir / "contexts" / "meta" / digest / "meta.json"
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    return (data.get("Endpoints", {}).get("docker", {}) or {}).get("Host")


def current_context(config_dir: Path | None = None) -> str | None:
    if os.environ.get("DOCKER_CONTEXT"):
        return os.environ["DOCKER_CONTEXT"]
    config_dir = config_dir or docker_config_dir()
    try:
        data = json.loads((config_dir / "config.json").read_text())
    except (OSError, ValueError):
        return None
    return data.get("currentContext")


def find_endpoint(config_dir: Path | None = None) -> Endpoint:
    if os.environ.get("DOCKER_HOST"):
        return Endpoint(os.environ["DOCKER_HOST"], "DOCKER_HOST")
    name = current_context(config_dir)
    if name and name != "default":
        host = context_host(name, config_dir)
        if host:
            return Endpoint(host, f"context:{name}")
    return Endpoint(DEFAULT_SOCKET, "default socket")


def sdk_client(host: str, timeout: int = 600, environ=None):
    """A docker SDK client for ``host``, as the docker CLI would reach it.

    tcp with ``DOCKER_TLS_VERIFY`` / ``DOCKER_CERT_PATH`` set (in ``environ``, default this
    process's) uses TLS with the certificates there (ca.pem, cert.pem, key.pem); ssh:// goes
    through the system ``ssh`` client, as the CLI does."""
    import docker  # imported here so `dockopt --help` works without the SDK

    environ = os.environ if environ is None else environ
    kwargs = {}
    if host.startswith("tcp://") and (environ.get("DOCKER_TLS_VERIFY") or environ.get("DOCKER_CERT_PATH")):
        kwargs = docker.utils.kwargs_from_env(environment={**environ, "DOCKER_HOST": host})
        kwargs.pop("base_url", None)
    if host.startswith("ssh://"):
        kwargs["use_ssh_client"] = True
    return docker.DockerClient(base_url=host, timeout=timeout, **kwargs)


def client(timeout: int = 600):
    """A docker SDK client for the resolved endpoint; raises EngineUnavailable if it does not answer."""
    endpoint = find_endpoint()
    try:
        cli = sdk_client(endpoint.host, timeout=timeout)
        cli.ping()
    except Exception as exc:  # the SDK raises several unrelated types for "nobody home"
        raise EngineUnavailable(
            f"No Docker engine answers at {endpoint.host} (from {endpoint.source}).",
            hint="start one with `make engine` (Debian, as root), `sudo systemctl start docker`, "
            "or point DOCKER_HOST at a running engine.",
            evidence=str(exc),
        ) from None
    return cli


def answers(timeout: int = 10) -> bool:
    """Whether the engine answers a ping now (a failed build asks: did the engine go away?)."""
    try:
        client(timeout=timeout)
    except EngineUnavailable:
        return False
    return True


def session(timeout: int = 600):
    """(client, EngineInfo) for a long run of engine calls (a measurement): the caller keeps the
    client only to hand it back to engine functions (their ``cli``), so one connection serves them all."""
    cli = client(timeout=timeout)
    return cli, describe(cli)


def failures() -> tuple[type[BaseException], ...]:
    """What an engine call raises when the engine refuses or goes away: the SDK's APIError,
    requests' ConnectionError (an OSError) and EngineUnavailable; for a best-effort clean-up's except."""
    import docker.errors

    return (docker.errors.APIError, EngineUnavailable, OSError)


def describe(cli=None) -> EngineInfo:
    """The engine's version, API, storage driver, CPUs and memory (of ``cli``, a client already open,
    default the resolved endpoint's).

    Raises EngineUnavailable when it does not answer, or answers the ping but not these questions."""
    import docker.errors

    endpoint = find_endpoint()
    cli = cli or client()
    try:
        info = cli.info()
        version = cli.version()
    except docker.errors.DockerException as exc:
        raise EngineUnavailable(f"The Docker engine at {endpoint.host} (from {endpoint.source}) did not describe "
                                "itself.", evidence=str(exc)) from None
    return EngineInfo(
        endpoint=f"{endpoint.host} ({endpoint.source})",
        engine_version=version.get("Version", "?"),
        api_version=version.get("ApiVersion", "?"),
        storage_driver=info.get("Driver", "?"),
        cpus=int(info.get("NCPU", 0)),
        os_arch=f"{version.get('Os', '?')}/{version.get('Arch', '?')}",
        memory_bytes=int(info.get("MemTotal", 0)),
    )
