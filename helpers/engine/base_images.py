"""Provision base images without any registry: Debian packages only.

1. a bookworm ``minbase`` root filesystem made by debootstrap and imported;
2. a Python 3.11 image on it (python3, venv, pip, the host's extra CA certificates);
3. a minimal Python runtime on it (interpreter and standard library only).

The host's own architecture gets the plain tags below. Another architecture (arm64 on an
amd64 host, built under QEMU emulation) gets the same tags with ``-<arch>`` appended: this
engine keeps one platform per tag, so each platform's images are tagged separately.

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

from helpers.engine import buildkit, connect, debian_packages, docker_apt_config
from helpers.engine.labels import RECIPE_LABEL, ours
from helpers.errors import BaseImageError, DockoptError

RECIPES = Path(__file__).parent / "recipes"
SUITE = "bookworm"
# DOCKOPT_BASE_PREFIX builds and tests a changed recipe under another repository prefix, beside the
# bases other builds on this engine are using (e.g. ``dockopt-mybranch``); everyone else keeps ``dockopt``.
PREFIX = os.environ.get("DOCKOPT_BASE_PREFIX") or "dockopt"
ROOTFS_TAG = f"{PREFIX}/debian:bookworm-minbase"
PYTHON_TAG = f"{PREFIX}/python:3.11-bookworm"
MINIMAL_TAG = f"{PREFIX}/python:3.11-bookworm-minimal"
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")
APT_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))


@dataclass(frozen=True)
class BaseTags:
    """The three base images of one architecture."""

    arch: str
    rootfs: str
    python: str
    minimal: str

    @property
    def platform(self) -> str:
        return f"linux/{self.arch}"

    @property
    def native(self) -> bool:
        return self.arch == debian_arch()


@dataclass(frozen=True)
class Provisioned:
    tag: str
    image_id: str
    recipe: str
    built: bool  # False when an image with the same recipe hash was reused


def debian_arch(machine: str | None = None) -> str:
    machine = machine or platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def arch_of(platform_name: str) -> str:
    """``linux/arm64`` -> ``arm64``; a bare architecture passes through."""
    os_name, _, arch = platform_name.partition("/")
    if not arch:
        return debian_arch(os_name)
    if os_name != "linux":
        raise BaseImageError(f"dockopt builds Linux base images only, not {platform_name}.")
    return debian_arch(arch.split("/")[0])


def tags_for(arch: str | None = None) -> BaseTags:
    """The base image tags for ``arch``: plain for the host's own, ``-<arch>`` for any other."""
    arch = arch or debian_arch()
    suffix = "" if arch == debian_arch() else f"-{arch}"
    return BaseTags(arch, ROOTFS_TAG + suffix, PYTHON_TAG + suffix, MINIMAL_TAG + suffix)


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
    return digest("debootstrap", "--variant=minbase", SUITE, arch, "strip:v1", docker_apt_config.fingerprint())


def image_recipe(dockerfile: Path, rootfs: str, certs: list[Path]) -> str:
    return digest(rootfs, dockerfile.read_bytes(), *(c.name + c.read_text() for c in certs))


def existing(cli, tag: str, recipe: str, arch: str | None = None) -> str | None:
    """The id of ``tag`` if it exists, was built from ``recipe`` and (if given) is for ``arch``.

    The architecture is checked because a same-recipe image imported the wrong way (``docker
    import --platform``) is labelled amd64 whatever it holds, and builds for arm64 miss it.
    """
    import docker.errors

    try:
        image = cli.images.get(tag)
    except docker.errors.ImageNotFound:
        return None
    if arch and image.attrs.get("Architecture") != arch:
        return None
    return image.id if (image.labels or {}).get(RECIPE_LABEL) == recipe else None


def missing(cli, arch: str | None = None) -> list[str]:
    """Which of ``arch``'s base image tags do not exist at all (recipe not checked)."""
    import docker.errors

    tags = tags_for(arch)
    absent = []
    for tag in (tags.rootfs, tags.python, tags.minimal):
        try:
            cli.images.get(tag)
        except docker.errors.ImageNotFound:
            absent.append(tag)
    return absent


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
    """Drop what debootstrap leaves behind that no image needs (downloaded .debs, apt lists, its log)
    and configure apt as Debian's official images do, so no later layer keeps apt's caches."""
    for pattern in ("var/cache/apt/archives/*.deb", "var/lib/apt/lists/*", "var/cache/apt/*.bin"):
        for path in root.glob(pattern):
            if path.is_file():
                path.unlink()
    shutil.rmtree(root / "debootstrap", ignore_errors=True)
    docker_apt_config.write(root)


def import_rootfs(root: Path, tag: str, recipe: str) -> None:
    """Import a host-architecture root filesystem with ``docker import``."""
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


SCRATCH_DOCKERFILE = 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n'


def build_foreign_rootfs(root: Path, tags: BaseTags, recipe: str) -> None:
    """Turn a foreign-architecture root filesystem into an image labelled with that platform.

    ``docker import --platform`` is ignored by this engine (the image comes out labelled
    amd64, and a later ``--platform linux/arm64`` build would not find it), so the tarball
    goes through a BuildKit build of ``FROM scratch`` + ``ADD rootfs.tar /`` instead, which
    records the platform it was built for.
    """
    ctx = root.parent / "context"
    ctx.mkdir()
    subprocess.run(["tar", "-C", str(root), "-cf", str(ctx / "rootfs.tar"), "."], check=True)
    (ctx / "Dockerfile").write_text(SCRATCH_DOCKERFILE)
    result = buildkit.build(ctx, ctx / "Dockerfile", tags.rootfs, labels={RECIPE_LABEL: recipe},
                            platform=tags.platform, check=False)
    if not result.ok:
        raise BaseImageError(f"Building {tags.rootfs} from the {SUITE} ({tags.arch}) root filesystem failed.",
                             evidence=result.log_tail())


def ensure_rootfs(cli, arch: str | None = None, log=print) -> Provisioned:
    """The debootstrapped root filesystem image of ``arch``, built only when missing.

    A foreign ``arch`` needs emulation: debootstrap's second stage runs that architecture's
    maintainer scripts (``helpers.engine.emulation.ensure`` first).
    """
    tags = tags_for(arch)
    recipe = rootfs_recipe(tags.arch)
    found = existing(cli, tags.rootfs, recipe, tags.arch)
    if found:
        return Provisioned(tags.rootfs, found, recipe, built=False)
    mirror = debian_mirror()
    log(f"building {tags.rootfs}: debootstrap --variant=minbase {SUITE} ({tags.arch}) ...")
    with tempfile.TemporaryDirectory(prefix="dockopt-rootfs-") as tmp:
        root = Path(tmp) / "root"
        debootstrap_rootfs(root, tags.arch, mirror)
        strip_rootfs(root)
        if tags.native:
            import_rootfs(root, tags.rootfs, recipe)
        else:
            build_foreign_rootfs(root, tags, recipe)
    return Provisioned(tags.rootfs, cli.images.get(tags.rootfs).id, recipe, built=True)


def ensure_python_image(cli, recipe_file: str, tag: str, rootfs: Provisioned, log=print,
                        platform: str | None = None) -> Provisioned:
    dockerfile = RECIPES / recipe_file
    certs = host_ca_certs()
    recipe = image_recipe(dockerfile, rootfs.recipe, certs)
    found = existing(cli, tag, recipe, arch_of(platform) if platform else None)
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
                                labels={RECIPE_LABEL: recipe}, platform=platform, check=False)
    if not result.ok:
        raise BaseImageError(
            f"Building the base image {tag} from {dockerfile.name} failed.",
            hint="the log tail shows the failing step; apt needs Debian's mirror, pip needs PyPI.",
            evidence=result.log_tail(),
        )
    return Provisioned(tag, result.image_id, recipe, built=True)


def ensure_base_images(log=print, platform: str | None = None) -> dict[str, Provisioned]:
    """Make sure the rootfs, python and minimal python images exist; build what is missing.

    Args:
        log: where progress sentences go.
        platform: ``linux/arm64`` etc.; None for the host's own. A foreign platform needs
            emulation set up first (``helpers.engine.emulation.ensure``).
    """
    cli = connect.client()
    tags = tags_for(arch_of(platform) if platform else None)
    build_platform = None if tags.native else tags.platform
    rootfs = ensure_rootfs(cli, tags.arch, log=log)
    python = ensure_python_image(cli, "python.Dockerfile", tags.python, rootfs, log=log, platform=build_platform)
    minimal = ensure_python_image(cli, "python-minimal.Dockerfile", tags.minimal, rootfs, log=log,
                                  platform=build_platform)
    return {"rootfs": rootfs, "python": python, "minimal": minimal}
