"""The apt/dpkg configuration Debian's official Docker images carry, for dockopt's own bases.

The official ``debian:*`` images (and so ``python:*-slim``) are built by debuerreotype, whose
``debuerreotype-minimizing-config`` writes these files into the root filesystem. Without them
every ``apt-get update``/``install`` on dockopt's stand-in base leaves ~75 MB of package caches
(``/var/cache/apt/*.bin``, downloaded ``.deb`` files) that the official images never keep: that
waste would then be counted against the user's Dockerfile and inflate every saving measured on
top of dockopt's base.

Kept: what changes bytes in an image or what apt does in a build (``docker-clean``, compressed
indexes, no translations, aggressive autoremove) and dpkg's ``force-unsafe-io`` (build time,
as on the official images). Not reproduced: debuerreotype's ``slimify`` dpkg path-excludes (docs,
man pages, locales), which the ``-slim`` tags add on top.
"""

from __future__ import annotations

from pathlib import Path

_CLEAN_CMD = ('"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
              '/var/cache/apt/*.bin || true";')

# Path inside the root filesystem -> content, as debuerreotype writes them (comments shortened).
FILES: dict[str, str] = {
    "etc/apt/apt.conf.d/docker-clean": (
        "# Written by dockopt as Debian's official images have it (debuerreotype):\n"
        "# the caches apt keeps only waste space in an image layer.\n"
        f"DPkg::Post-Invoke {{ {_CLEAN_CMD} }};\n"
        f"APT::Update::Post-Invoke {{ {_CLEAN_CMD} }};\n"
        "\n"
        'Dir::Cache::pkgcache "";\n'
        'Dir::Cache::srcpkgcache "";\n'
    ),
    "etc/apt/apt.conf.d/docker-no-languages": (
        "# No Translation files: smaller and faster `apt-get update` (as Debian's official images).\n"
        'Acquire::Languages "none";\n'
    ),
    "etc/apt/apt.conf.d/docker-gzip-indexes": (
        "# Keep the package lists compressed on disk for builds that do not delete them\n"
        "# (as Debian's official images).\n"
        'Acquire::GzipIndexes "true";\n'
    ),
    "etc/apt/apt.conf.d/docker-autoremove-suggests": (
        "# `apt-get purge --auto-remove` removes what a package only Suggests (as Debian's official images).\n"
        'Apt::AutoRemove::SuggestsImportant "false";\n'
    ),
    "etc/dpkg/dpkg.cfg.d/docker-apt-speedup": (
        "# No fsync per file while unpacking: an image build is rebuilt, not recovered\n"
        "# (as Debian's official images).\n"
        "force-unsafe-io\n"
    ),
}


def write(root: Path) -> list[Path]:
    """Write the configuration files into the root filesystem at ``root``; returns their paths."""
    written = []
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o644)
        written.append(path)
    return written


def fingerprint() -> str:
    """Every file's path and content, for the root filesystem's recipe hash."""
    return "".join(f"{rel}\n{text}\0" for rel, text in sorted(FILES.items()))
