"""Debian's package database as it sits in an image's filesystem (no apt or dpkg needed).

Read from the files themselves so it works for images without a package manager, and for
the security checks (issue 7), which compare installed versions with Debian's security index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATUS = "/var/lib/dpkg/status"
INFO_DIR = "/var/lib/dpkg/info/"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    architecture: str
    installed_kib: int  # dpkg's own estimate (Installed-Size)
    source: str


def parse_status(text: str) -> list[Package]:
    """Installed packages from a dpkg status file (paragraphs of ``Field: value``)."""
    packages = []
    for paragraph in re.split(r"\n\s*\n", text):
        fields = dict(re.findall(r"^([A-Za-z-]+):[ \t]*(.*)$", paragraph, re.M))
        if not fields.get("Package") or not fields.get("Status", "").endswith(" installed"):
            continue
        source = fields.get("Source", fields["Package"]).split(" ")[0]
        packages.append(Package(fields["Package"], fields.get("Version", ""), fields.get("Architecture", ""),
                                int(fields.get("Installed-Size", "0") or 0), source))
    return packages


def is_file_list(path: str) -> bool:
    return path.startswith(INFO_DIR) and path.endswith(".list")


def package_of_list(path: str) -> str:
    """``/var/lib/dpkg/info/libc6-dev:amd64.list`` -> ``libc6-dev``."""
    return path[len(INFO_DIR):-len(".list")].split(":", 1)[0]


def owners(lists: dict[str, bytes]) -> dict[str, str]:
    """path -> package, from the ``info/*.list`` files (paths that are directories included)."""
    owned: dict[str, str] = {}
    for list_path, data in lists.items():
        package = package_of_list(list_path)
        for line in data.decode(errors="replace").splitlines():
            if line and line != "/.":
                owned[line] = package
    return owned
