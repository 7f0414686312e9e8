"""tcp:// with TLS as the docker CLI does it: the engine checked against DOCKER_CERT_PATH's ca.pem.

A real TLS listener in this process (the ``ssl`` module, throwaway certificates from ``openssl``)
answers the one request the SDK makes first (the API version), so the handshake, the CA used and
the error a person reads are the real ones; the engine itself is tests/integration/test_fleet_remote.py's.
"""

from __future__ import annotations

import socket
import ssl
import threading

import docker
import pytest

from helpers.engine import connect
from tests.support.second_engine import client_folder, make_ca, sign

VERSION_REPLY = (b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 39\r\nConnection: close\r\n\r\n'
                 b'{"ApiVersion": "1.41", "Version": "x"}\n')


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls")
    ca = make_ca(root / "ca", "unit test engine CA")
    sign(ca, root / "server", "server", "127.0.0.1", "serverAuth", "IP:127.0.0.1")
    other = make_ca(root / "other-ca", "a CA the engine does not trust")
    return {"root": root, "ca": ca, "client": client_folder(ca, root / "client"),
            "foreign": client_folder(other, root / "foreign")}


@pytest.fixture(scope="module")
def engine_port(certs):
    """A TLS listener that wants a client certificate signed by the engine's CA, as dockerd --tlsverify."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs["root"] / "server" / "server-cert.pem", certs["root"] / "server" / "server-key.pem")
    ctx.load_verify_locations(certs["ca"] / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(4096)
                    tls.sendall(VERSION_REPLY)
            except (ssl.SSLError, OSError):  # a refused client: what the tests look at is its side
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


def tls_env(folder) -> dict[str, str]:
    return {"DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(folder)}


def test_the_engines_ca_is_used_even_when_requests_ca_bundle_is_set(engine_port, certs, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt")
    host = f"tcp://127.0.0.1:{engine_port}"
    cli = connect.sdk_client(host, timeout=5, environ=tls_env(certs["client"]))
    assert cli.api.api_version == "1.41"
    # the SDK alone checks the engine against the system's CAs here (docker/docker-py#2433)
    with pytest.raises(docker.errors.DockerException, match="CERTIFICATE_VERIFY_FAILED"):
        docker.DockerClient(timeout=5, **docker.utils.kwargs_from_env(
            environment={**tls_env(certs["client"]), "DOCKER_HOST": host}))


def test_an_engine_the_ca_does_not_know_is_named_as_such(engine_port, certs):
    env = tls_env(certs["foreign"])
    with pytest.raises(docker.errors.DockerException) as err:
        connect.sdk_client(f"tcp://127.0.0.1:{engine_port}", timeout=5, environ=env)
    why = connect.unreachable_reason(err.value, env)
    assert why.startswith("TLS handshake failed: the engine's certificate is not signed by the CA in ca.pem")
    assert f"certificates from {certs['foreign']}" in why and "\n" not in why


def test_a_client_certificate_the_engine_refuses_is_named_as_such(engine_port, certs, tmp_path):
    folder = tmp_path / "trusting"
    folder.mkdir()
    for name in ("cert.pem", "key.pem"):
        (folder / name).write_bytes((certs["foreign"] / name).read_bytes())
    (folder / "ca.pem").write_bytes((certs["ca"] / "ca.pem").read_bytes())  # trusts the engine; the engine not it
    env = tls_env(folder)
    with pytest.raises(docker.errors.DockerException) as err:
        connect.sdk_client(f"tcp://127.0.0.1:{engine_port}", timeout=5, environ=env)
    why = connect.unreachable_reason(err.value, env)
    assert why.startswith("TLS handshake failed: ") and "client certificate (cert.pem)" in why, why
    assert str(folder) in why


def test_a_folder_without_certificates_says_what_it_lacks(tmp_path):
    env = tls_env(tmp_path)
    with pytest.raises(docker.errors.TLSParameterError) as err:
        connect.sdk_client("tcp://127.0.0.1:9", timeout=1, environ=env)
    assert connect.unreachable_reason(err.value, env) == (
        f"no client certificate: {tmp_path} must hold ca.pem, cert.pem and key.pem (as for the docker CLI)")


def test_dockerds_refusal_of_a_client_certificate_is_named_as_such():
    """The alert dockerd 20.10 (Go) sends a client certificate from another CA (recorded in
    test_fleet_remote.py), in the SDK's wrapping; this file's Python listener closes instead."""
    raised = ("Error while fetching server API version: HTTPSConnectionPool(host='127.0.0.1', port=57519): Max "
              "retries exceeded with url: /version (Caused by SSLError(SSLError(1, '[SSL: SSLV3_ALERT_BAD_CERTIFICATE] "
              "sslv3 alert bad certificate (_ssl.c:2580)')))")
    why = connect.unreachable_reason(docker.errors.DockerException(raised), {"DOCKER_CERT_PATH": "/certs/b1"})
    assert why == ("TLS handshake failed: the engine refused the client certificate (cert.pem) "
                   "[SSLV3_ALERT_BAD_CERTIFICATE: sslv3 alert bad certificate; certificates from /certs/b1]")


@pytest.mark.parametrize("raised, expected", [
    # what the docker SDK 7.2.0 raised: plain tcp:// to this file's TLS listener, a closed port,
    # an ssh:// whose login failed
    ("Error while fetching server API version: ('Connection aborted.', ConnectionResetError(104, "
     "'Connection reset by peer'))", "the engine reset the connection (a TLS port reached without TLS?"),
    ("Error while fetching server API version: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded "
     "with url: /version (Caused by NewConnectionError(\"HTTPConnection(host='127.0.0.1', port=9): Failed to "
     "establish a new connection: [Errno 111] Connection refused\"))", "connection refused (nothing listens there)"),
    ("Error while fetching server API version: ('Connection aborted.', RemoteDisconnected('Remote end closed "
     "connection without response'))", "the connection closed before the engine answered"),
])
def test_other_failures_are_one_line(raised, expected):
    assert connect.unreachable_reason(docker.errors.DockerException(raised), {}).startswith(expected)


def test_ssh_without_paramiko_says_what_to_install(monkeypatch):
    real = connect.importlib.util.find_spec
    monkeypatch.setattr(connect.importlib.util, "find_spec", lambda name: None if name == "paramiko" else real(name))
    with pytest.raises(connect.EngineUnavailable, match="needs the paramiko package") as err:
        connect.sdk_client("ssh://ci@builder1")
    assert "make setup" in err.value.hint
