"""Digest pins, on this machine only, for images that never came from a registry.

A digest pin (``FROM name@sha256:...``) needs a repository digest, which only a registry
push or pull creates. For locally built bases dockopt runs Debian's ``docker-registry`` on
loopback, pushes the image there once, and pins by the digest the registry returns. Images
that already carry a repository digest (pulled from a real registry) are pinned by it as is.

Such a pin names an address that exists only here, so it is for builds on this machine (the
sample's phase 3 takes its digests as build args); a file the user takes never holds one (a
generated Dockerfile pins by ``helpers.engine.registry_digest`` instead).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from helpers.engine import connect, debian_packages, docker_cli
from helpers.errors import DockoptError

REGISTRY = os.environ.get("DOCKOPT_REGISTRY", "127.0.0.1:5959")
STATE = Path(os.environ.get("DOCKOPT_STATE", "/var/lib/dockopt"))
CONFIG = """version: 0.1
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: {addr}
"""


def listening(addr: str = REGISTRY) -> bool:
    host, port = addr.rsplit(":", 1)
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, int(port))) == 0


def ensure_registry() -> None:
    """Start a loopback registry if none listens (idempotent)."""
    if listening():
        return
    binary = shutil.which("registry") or debian_packages.ensure(
        "docker-registry", "docker-registry",
        f"on {REGISTRY} to pin locally built base images by digest (or pass a base image pulled "
        "from a registry, which already has one)")
    STATE.mkdir(parents=True, exist_ok=True)
    config = STATE / "registry.yml"
    config.write_text(CONFIG.format(root=STATE / "registry", addr=REGISTRY))
    log = open(STATE / "registry.log", "ab")
    subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT,
                     stdin=subprocess.DEVNULL, start_new_session=True)
    for _ in range(50):
        if listening():
            return
        time.sleep(0.2)
    raise DockoptError(f"The loopback registry did not start on {REGISTRY}.", hint=f"see {STATE / 'registry.log'}.")


def repo_of(tag: str) -> str:
    name = tag.rsplit("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name.rsplit(":", 1)[0] if ":" in last else name


def pin(tag: str) -> str:
    """``repository@sha256:...`` for ``tag``, publishing to the loopback registry if needed."""
    cli = connect.client()
    image = cli.images.get(tag)
    local_repo = f"{REGISTRY}/{repo_of(tag)}"
    for ref in image.attrs.get("RepoDigests") or []:
        if not ref.startswith(REGISTRY + "/") or ref.startswith(local_repo + "@"):
            return ref
    ensure_registry()
    target = f"{REGISTRY}/{tag}"
    image.tag(target)
    docker = docker_cli.find_client().path
    proc = subprocess.run([docker, "push", target], capture_output=True, text=True)
    if proc.returncode != 0:
        raise DockoptError(f"Pushing {tag} to the loopback registry {REGISTRY} failed.", evidence=proc.stderr[-2000:])
    image.reload()
    for ref in image.attrs.get("RepoDigests") or []:
        if ref.startswith(local_repo + "@"):
            return ref
    raise DockoptError(f"{target} was pushed but the engine recorded no digest for it.")


def split_pin(ref: str) -> tuple[str, str]:
    repo, digest = ref.split("@", 1)
    return repo, digest


# Which platforms a loopback pin covers -----------------------------------------------------
# A Dockerfile written by an earlier dockopt may pin a loopback digest: one platform's manifest,
# or a manifest list (image index) naming each platform's. A build for a platform it does not
# hold is skipped with the reason (``multiplatform.unpinned_for``).

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ACCEPT = ", ".join((MANIFEST_LIST, OCI_INDEX, MANIFEST_V2, OCI_MANIFEST))
LISTS = (MANIFEST_LIST, OCI_INDEX)


def _http(method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of a request to the loopback registry's v2 API."""
    req = urllib.request.Request(f"http://{REGISTRY}/v2/{path}", data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def manifest(repo: str, reference: str) -> tuple[str, str, bytes] | None:
    """(media type, digest, raw bytes) of a manifest in the loopback registry; None when absent."""
    status, headers, body = _http("GET", f"{repo}/manifests/{reference}", headers={"Accept": ACCEPT})
    if status != 200:
        return None
    media = headers.get("Content-Type", "").split(";")[0].strip()
    return media, headers.get("Docker-Content-Digest") or "sha256:" + hashlib.sha256(body).hexdigest(), body


def platforms_of(ref: str) -> list[str] | None:
    """The platforms a loopback-registry pin covers (``linux/arm64`` ...); None when ``ref`` is not
    a digest on the loopback registry or the registry cannot be asked."""
    if "@sha256:" not in ref or not ref.startswith(REGISTRY + "/"):
        return None
    repo, digest = split_pin(ref[len(REGISTRY) + 1:])
    try:
        ensure_registry()
        found = manifest(repo, digest)
    except (OSError, DockoptError):
        return None
    if found is None:
        return None
    media, _, body = found
    doc = json.loads(body)
    if media in LISTS or "manifests" in doc:
        return [platform_name(m.get("platform") or {}) for m in doc.get("manifests", [])]
    status, _, config = _http("GET", f"{repo}/blobs/{doc['config']['digest']}")
    return [platform_name(json.loads(config))] if status == 200 else None


def platform_name(p: dict) -> str:
    name = f"{p.get('os', 'linux')}/{p.get('architecture', '?')}"
    return name + (f"/{p['variant']}" if p.get("variant") else "")
