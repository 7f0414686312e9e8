"""Provision base images without any registry: Debian packages only.

1. a bookworm ``minbase`` root filesystem made by debootstrap and imported;
2. a Python 3.11 image on it (python3, venv, pip, the host's extra CA certificates);
3. a minimal Python runtime on it (interpreter and standard library only).

Each image carries a label with a hash of its recipe and is rebuilt only when the recipe
(or the certificates it embeds) changes. A user with a registry passes any image instead.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from helpers.engine import buildkit, connect, debian_packages
from helpers.engine.labels import RECIPE_LABEL, ours
from helpers.errors import BaseImageError, DockoptError

RECIPES = Path(__file__).parent / "recipes"
SUITE = "bookworm"
ROOTFS_TAG = "dockopt/debian:bookworm-minbase"
PYTHON_TAG = "dockopt/python:3.11-bookworm"
MINIMAL_TAG = "dockopt/python:3.11-bookworm-minimal"
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")
APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))


@dataclass(frozen=True)
class Provisioned:
    tag: str
    image_id: str
    recipe: str
    built: bool  # False when an image with the same recipe hash was reused


def debian_arch(machine: str | None = None) -> str:
    machine = machine or platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def mirror_from_sources(texts: list[str]) -> str | None:
    """The Debian archive URI the host's apt uses (deb822 or one-line format); pure."""
    for text in texts:
        for match in re.finditer(r"^URIs:\s*(\S+)", text, re.M):
            if not match.group(1).rstrip("/").endswith("-security"):
                return match.group(1)
        for match in re.finditer(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+", text, re.M):
            if "debian" in match.group(1) and not match.group(1).rstrip("/").endswith("-security"):
                return match.group(1)
    return None


def debian_mirror() -> str:
    if os.environ.get("DOCKOPT_DEBIAN_MIRROR"):
        return os.environ["DOCKOPT_DEBIAN_MIRROR"]
    texts = [p.read_text(errors="replace") for p in APT_SOURCES if p.exists()]
    mirror = mirror_from_sources(texts)
    if not mirror:
        raise BaseImageError(
            "Cannot tell which Debian mirror to debootstrap from (no URIs in /etc/apt/sources.list*).",
            hint="set DOCKOPT_DEBIAN_MIRROR to a Debian archive URL.",
        )
    return mirror


def host_ca_certs() -> list[Path]:
    return sorted(HOST_CA_DIR.glob("*.crt")) if HOST_CA_DIR.is_dir() else []


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:16]


def rootfs_recipe(arch: str) -> str:
    return digest("debootstrap", "--variant=minbase", SUITE, arch, "strip:v1")


def image_recipe(dockerfile: Path, rootfs: str, certs: list[Path]) -> str:
    return digest(rootfs, dockerfile.read_bytes(), *(c.name + c.read_text() for c in certs))


def existing(cli, tag: str, recipe: str) -> str | None:
    """The id of ``tag`` if it exists and was built from ``recipe``."""
    import docker.errors

    try:
        image = cli.images.get(tag)
    except docker.errors.ImageNotFound:
        return None
    return image.id if (image.labels or {}).get(RECIPE_LABEL) == recipe else None


def debootstrap_rootfs(target: Path, arch: str, mirror: str) -> None:
    try:
        binary = debian_packages.ensure("debootstrap", "debootstrap", "to build the Debian base image")
    except DockoptError as exc:
        raise BaseImageError(exc.message, hint=exc.hint + " Or pass --base-image IMAGE with an image "
                             "you can pull (e.g. python:3.11-slim).", evidence=exc.evidence) from None
    argv = [binary, "--variant=minbase", f"--arch={arch}", SUITE, str(target), mirror]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        log = target / "debootstrap" / "debootstrap.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else proc.stderr[-2000:]
        raise BaseImageError(
            f"debootstrap of Debian {SUITE} ({arch}) from {mirror} failed with exit {proc.returncode}.",
            hint="check that the mirror is reachable (`apt-get update` works) and the disk has 500 MB free; "
            "or pass --base-image IMAGE.",
            evidence=tail,
        )


def strip_rootfs(root: Path) -> None:
    """Drop what debootstrap leaves behind that no image needs: downloaded .debs, apt lists, its log."""
    for pattern in ("var/cache/apt/archives/*.deb", "var/lib/apt/lists/*", "var/cache/apt/*.bin"):
        for path in root.glob(pattern):
            if path.is_file():
                path.unlink()
    shutil.rmtree(root / "debootstrap", ignore_errors=True)


def import_rootfs(root: Path, tag: str, recipe: str) -> None:
    changes = [f"LABEL {k}={v}" for k, v in ours({RECIPE_LABEL: recipe}).items()]
    changes.append('CMD ["bash"]')
    argv = ["docker", "import"]
    for change in changes:
        argv += ["--change", change]
    argv += ["-", tag]
    client = buildkit.find_client()
    argv[0] = client.path
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    proc = subprocess.run(argv, stdin=tar.stdout, capture_output=True, text=True)
    tar.stdout.close()
    tar.wait()
    if proc.returncode != 0 or tar.returncode != 0:
        raise BaseImageError(f"`docker import` of the {SUITE} root filesystem failed.", evidence=proc.stderr)


def ensure_rootfs(cli, arch: str | None = None, log=print) -> Provisioned:
    arch = arch or debian_arch()
    recipe = rootfs_recipe(arch)
    found = existing(cli, ROOTFS_TAG, recipe)
    if found:
        return Provisioned(ROOTFS_TAG, found, recipe, built=False)
    mirror = debian_mirror()
    log(f"building {ROOTFS_TAG}: debootstrap --variant=minbase {SUITE} ({arch}) ...")
    with tempfile.TemporaryDirectory(prefix="dockopt-rootfs-") as tmp:
        root = Path(tmp) / "root"
        debootstrap_rootfs(root, arch, mirror)
        strip_rootfs(root)
        import_rootfs(root, ROOTFS_TAG, recipe)
    return Provisioned(ROOTFS_TAG, cli.images.get(ROOTFS_TAG).id, recipe, built=True)


def ensure_python_image(cli, recipe_file: str, tag: str, rootfs: Provisioned, log=print) -> Provisioned:
    dockerfile = RECIPES / recipe_file
    certs = host_ca_certs()
    recipe = image_recipe(dockerfile, rootfs.recipe, certs)
    found = existing(cli, tag, recipe)
    if found:
        return Provisioned(tag, found, recipe, built=False)
    log(f"building {tag} from Debian packages ...")
    with tempfile.TemporaryDirectory(prefix="dockopt-base-") as tmp:
        ctx = Path(tmp)
        (ctx / "certs").mkdir()
        (ctx / "certs" / ".keep").write_text("")
        for cert in certs:
            shutil.copy(cert, ctx / "certs" / cert.name)
        shutil.copy(dockerfile, ctx / "Dockerfile")
        result = buildkit.build(ctx, ctx / "Dockerfile", tag, build_args={"ROOTFS": rootfs.tag},
                                labels={RECIPE_LABEL: recipe}, check=False)
    if not result.ok:
        raise BaseImageError(
            f"Building the base image {tag} from {dockerfile.name} failed.",
            hint="the log tail shows the failing step; apt needs Debian's mirror, pip needs PyPI.",
            evidence=result.log_tail(),
        )
    return Provisioned(tag, result.image_id, recipe, built=True)


def ensure_base_images(log=print) -> dict[str, Provisioned]:
    """Make sure the rootfs, python and minimal python images exist; build what is missing."""
    cli = connect.client()
    rootfs = ensure_rootfs(cli, log=log)
    python = ensure_python_image(cli, "python.Dockerfile", PYTHON_TAG, rootfs, log=log)
    minimal = ensure_python_image(cli, "python-minimal.Dockerfile", MINIMAL_TAG, rootfs, log=log)
    return {"rootfs": rootfs, "python": python, "minimal": minimal}
