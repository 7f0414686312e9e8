"""Digest pins for images that never came from a registry.

A digest pin (``FROM name@sha256:...``) needs a repository digest, which only a registry
push or pull creates. For locally built bases dockopt runs Debian's ``docker-registry`` on
loopback, pushes the image there once, and pins by the digest the registry returns. Images
that already carry a repository digest (pulled from a real registry) are pinned by it as is.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from helpers.engine import buildkit, connect, debian_packages
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
    docker = buildkit.find_client().path
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
