"""Digest pins for images that never came from a registry.

A digest pin (``FROM name@sha256:...``) needs a repository digest, which only a registry
push or pull creates. For locally built bases dockopt runs Debian's ``docker-registry`` on
loopback, pushes the image there once, and pins by the digest the registry returns. Images
that already carry a repository digest (pulled from a real registry) are pinned by it as is.
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
from dataclasses import dataclass
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


# Manifest lists --------------------------------------------------------------------------
# One digest for several platforms: a manifest list (image index) that names each platform's
# own manifest. ``FROM repo@sha256:<list>`` then builds for any platform the list holds, with
# one Dockerfile; BuildKit picks the entry matching ``--platform`` (or the host's).

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ACCEPT = ", ".join((MANIFEST_LIST, OCI_INDEX, MANIFEST_V2, OCI_MANIFEST))
LISTS = (MANIFEST_LIST, OCI_INDEX)


@dataclass(frozen=True)
class Pinned:
    """A digest pin and what it covers.

    Attributes:
        ref: ``repository@sha256:...``, what goes into ``FROM``.
        platforms: platform -> that platform's own manifest digest (one entry for a
            single-platform pin).
        note: why a platform the caller asked for is not in the pin ("" when none is missing).
    """

    ref: str
    platforms: dict[str, str]
    note: str = ""

    @property
    def is_list(self) -> bool:
        return len(self.platforms) > 1

    def describe(self) -> str:
        """Which digests the pin stands for, in full: what a Dockerfile's header records."""
        each = ", ".join(f"{p} {d}" for p, d in self.platforms.items())
        what = f"a manifest list of {each}" if self.is_list else f"{each} only" if each else "its digest as pulled"
        return what + (f" ({self.note})" if self.note else "")

    def __str__(self) -> str:
        return self.ref


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


def publish(tag: str) -> tuple[str, str, int]:
    """Make sure ``tag``'s own manifest is in the loopback registry: (digest, media type, size).

    The engine remembers a repository digest after a push even when the registry has since lost
    it (its storage was reset), so the manifest is asked for, and pushed again when absent.
    """
    repo = repo_of(tag)
    for attempt in (1, 2):
        _, digest = split_pin(pin(tag))
        found = manifest(repo, digest)
        if found:
            media, digest, body = found
            return digest, media, len(body)
        if attempt == 1:  # stale RepoDigest: push again (the engine then records the current one)
            docker = buildkit.find_client().path
            proc = subprocess.run([docker, "push", f"{REGISTRY}/{tag}"], capture_output=True, text=True)
            if proc.returncode != 0:
                raise DockoptError(f"Pushing {tag} to the loopback registry {REGISTRY} failed.",
                                   evidence=proc.stderr[-2000:])
    raise DockoptError(f"{REGISTRY}/{tag} was pushed but the registry does not serve its manifest {digest}.")


def manifest_list(entries: list[tuple[str, str, int, str]]) -> bytes:
    """The bytes of a Docker manifest list; entries are (digest, media type, size, platform).

    Serialized deterministically, so the same images always give the same list digest."""
    manifests = []
    for digest, media, size, platform in entries:
        os_name, arch, *variant = platform.split("/")
        plat = {"architecture": arch, "os": os_name, **({"variant": variant[0]} if variant else {})}
        manifests.append({"mediaType": media, "size": size, "digest": digest, "platform": plat})
    doc = {"schemaVersion": 2, "mediaType": MANIFEST_LIST, "manifests": manifests}
    return json.dumps(doc, indent=3, sort_keys=True).encode()


def pin_list(tags: dict[str, str], list_tag: str) -> Pinned:
    """Publish each platform's image and a manifest list over them; pin by the list's digest.

    Args:
        tags: platform -> local image tag, all in one repository (``dockopt/python:3.11-bookworm``,
            ``dockopt/python:3.11-bookworm-arm64``).
        list_tag: the registry tag the list is stored under (``dockopt/python:3.11-bookworm-multiarch``).
    """
    repos = {repo_of(t) for t in [*tags.values(), list_tag]}
    if len(repos) != 1:
        raise DockoptError(f"A manifest list names manifests of its own repository only, not {sorted(repos)}.")
    repo = repos.pop()
    ensure_registry()
    entries, platforms = [], {}
    for platform, tag in tags.items():
        digest, media, size = publish(tag)
        entries.append((digest, media, size, platform))
        platforms[platform] = digest
    body = manifest_list(entries)
    reference = list_tag.rsplit(":", 1)[1] if ":" in list_tag.rsplit("/", 1)[-1] else "latest"
    status, headers, answer = _http("PUT", f"{repo}/manifests/{reference}", body, {"Content-Type": MANIFEST_LIST})
    if status not in (200, 201):
        raise DockoptError(f"The loopback registry {REGISTRY} refused the manifest list for {list_tag} (HTTP {status}).",
                           evidence=answer.decode(errors="replace")[-2000:])
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    served = headers.get("Docker-Content-Digest")
    if served and served != digest:
        raise DockoptError(f"The registry stored the manifest list for {list_tag} as {served}, not {digest}.")
    return Pinned(f"{REGISTRY}/{repo}@{digest}", platforms)


def counterparts(tag: str, arches: list[str]) -> dict[str, str]:
    """arch -> the local tag of ``tag``'s image for that arch, for dockopt's own bases (empty for
    any other image: dockopt cannot know another image's foreign-architecture twin)."""
    from helpers.engine import base_images

    native = base_images.tags_for(None)
    for field_name in ("rootfs", "python", "minimal"):
        if getattr(native, field_name) == tag:
            return {a: getattr(base_images.tags_for(a), field_name) for a in arches}
    return {}


def pin_platforms(tag: str, platforms: tuple[str, ...] | list[str] = ("linux/amd64", "linux/arm64")) -> Pinned:
    """Pin ``tag`` by a digest that builds for every platform in ``platforms`` that can be had here.

    For dockopt's own bases with an image of each platform on this engine (``...-arm64`` tags),
    that is the digest of a manifest list over them, published to the loopback registry. A
    platform whose image is missing is left out, and :attr:`Pinned.note` says why and how to get
    it; with one platform left the pin is that image's own digest. An image pulled from a real
    registry keeps the digest it was pulled by (for a multi-platform image, already a list).
    """
    import docker.errors

    from helpers.engine import base_images

    cli = connect.client()
    ref = pin(tag)
    if not ref.startswith(REGISTRY + "/"):
        return Pinned(ref, {}, f"the digest {tag} was pulled by; its platforms are what that registry lists")
    arches = [base_images.arch_of(p) for p in platforms]
    twins = counterparts(tag, arches)
    available, missing = {}, []
    for platform, arch in zip(platforms, arches):
        twin = twins.get(arch)
        if twin is None:
            own = cli.images.get(tag).attrs.get("Architecture")
            if own == arch:
                available[platform] = tag
            else:
                missing.append(f"no {platform} image of {tag} is known")
            continue
        try:
            image_arch = cli.images.get(twin).attrs.get("Architecture")
        except docker.errors.ImageNotFound:
            missing.append(f"no {platform} base here ({twin} is missing; `dockopt base --platform {platform}` builds it, "
                           "then generate again)")
            continue
        if image_arch != arch:
            missing.append(f"{twin} is labelled {image_arch}, not {arch}")
        else:
            available[platform] = twin
    note = "; ".join(missing)
    if len(available) < 2:
        platform, own_tag = next(iter(available.items()), (f"linux/{cli.images.get(tag).attrs.get('Architecture')}", tag))
        single = pin(own_tag) if own_tag != tag else ref
        return Pinned(single, {platform: split_pin(single)[1]}, note)
    listed = pin_list(available, f"{tag}-multiarch")
    return Pinned(listed.ref, listed.platforms, note)
