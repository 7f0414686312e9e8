"""Find the Docker engine to talk to and describe it.

Order, as the docker CLI itself resolves it: ``DOCKER_HOST``, then the current docker
context (``DOCKER_CONTEXT`` or ``currentContext`` in ``~/.docker/config.json``), then the
default unix socket.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
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
    tls = host.startswith("tcp://") and bool(environ.get("DOCKER_TLS_VERIFY") or environ.get("DOCKER_CERT_PATH"))
    if tls:
        kwargs = docker.utils.kwargs_from_env(environment={**environ, "DOCKER_HOST": host})
        kwargs.pop("base_url", None)
    if host.startswith("ssh://"):
        # The SDK's ssh transport module imports paramiko even when it runs the system ssh
        # client; without it the SDK says only "Install paramiko package".
        if importlib.util.find_spec("paramiko") is None:
            raise EngineUnavailable(f"Cannot reach {host}: the docker SDK's ssh:// transport needs the "
                                    "paramiko package, which is not installed.",
                                    hint="`make setup` installs it (environment.yml), or `pip install paramiko`.")
        kwargs["use_ssh_client"] = True
    return (_engine_ca_client() if tls else docker.DockerClient)(base_url=host, timeout=timeout, **kwargs)


@functools.cache
def _engine_ca_client():
    """A DockerClient that checks the engine against DOCKER_CERT_PATH's ca.pem even when
    REQUESTS_CA_BUNDLE is set.

    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE (set on many machines, this one too) win
    over a session's own CA, so the plain SDK checks a TLS engine against the system's CAs and
    fails where the docker CLI succeeds (docker/docker-py#2433, psf/requests#5209). The SDK's API
    client is that session, and asks the engine's API version in its constructor: the fix has to
    be in the class, not set on an instance afterwards."""
    import docker

    class EngineCAAPIClient(docker.APIClient):
        def merge_environment_settings(self, url, proxies, stream, verify, cert):
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            if verify is None:  # the caller did not choose: the engine's CA, not the environment's
                settings["verify"] = self.verify
            return settings

    class EngineCAClient(docker.DockerClient):
        def __init__(self, *args, **kwargs):
            self.api = EngineCAAPIClient(*args, **kwargs)

    return EngineCAClient


# What the SDK's nested exceptions carry from the TLS layer ("[SSL: CODE] reason (_ssl.c:N)").
_SSL = re.compile(r"\[SSL: ([A-Z0-9_]+)\]\s*([^'\"()]*?)\s*\(_ssl\.c")
_TLS_WHY = {
    "CERTIFICATE_VERIFY_FAILED": "the engine's certificate is not signed by the CA in ca.pem",
    "TLSV1_ALERT_UNKNOWN_CA": "the engine does not trust the CA that signed the client certificate (cert.pem)",
    "SSLV3_ALERT_BAD_CERTIFICATE": "the engine refused the client certificate (cert.pem)",
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "the engine wants a client certificate (cert.pem, key.pem) and got none",
    "WRONG_VERSION_NUMBER": "the engine does not speak TLS on this port (plain tcp://, or the wrong port)",
}


def unreachable_reason(exc: BaseException, environ=None) -> str:
    """One line saying why an engine did not answer, from what the SDK raised.

    The SDK nests the cause three exceptions deep ("Error while fetching server API version:
    HTTPSConnectionPool(...): Max retries exceeded ... (Caused by SSLError(...))"); what a person
    can act on is the TLS reason and which certificate folder was used."""
    if isinstance(exc, EngineUnavailable):
        return exc.message
    text = " ".join(str(exc).split())
    environ = os.environ if environ is None else environ
    folder = environ.get("DOCKER_CERT_PATH") or str(docker_config_dir())
    tls = _SSL.search(text)
    if tls:
        why = _TLS_WHY.get(tls.group(1), tls.group(2).strip() or tls.group(1))
        return f"TLS handshake failed: {why} [{tls.group(1)}: {tls.group(2).strip()}; certificates from {folder}]"
    if "SSLEOFError" in text or "EOF occurred in violation of protocol" in text:
        return ("TLS handshake failed: the engine closed the connection, most likely refusing the client "
                f"certificate (cert.pem) [EOF during the handshake; certificates from {folder}]")
    if type(exc).__name__ == "TLSParameterError":
        return f"no client certificate: {folder} must hold ca.pem, cert.pem and key.pem (as for the docker CLI)"
    for sign, why in (("Connection refused", "connection refused (nothing listens there)"),
                      ("Connection reset by peer", "the engine reset the connection (a TLS port reached without "
                       "TLS? set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH)"),
                      ("No such file or directory", "no such socket"),
                      ("Read timed out", "timed out"), ("timed out", "timed out"),
                      ("Remote end closed connection", "the connection closed before the engine answered "
                       "(for ssh://: login, host key or the remote `docker` CLI; ssh printed why above)")):
        if sign in text:
            return why
    return text[:300]


def client(timeout: int = 600):
    """A docker SDK client for the resolved endpoint; raises EngineUnavailable if it does not answer."""
    endpoint = find_endpoint()
    try:
        cli = sdk_client(endpoint.host, timeout=timeout)
        cli.ping()
    except EngineUnavailable:  # already says what to do (ssh:// without paramiko)
        raise
    except Exception as exc:  # the SDK raises several unrelated types for "nobody home"
        raise EngineUnavailable(
            f"No Docker engine answers at {endpoint.host} (from {endpoint.source}): {unreachable_reason(exc)}.",
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
