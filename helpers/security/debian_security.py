"""Debian's security suite index: which binary packages have a security update, at which version.

The mirror is the one the host's apt already uses (its ``-security`` entry in
``/etc/apt/sources.list.d/*.sources`` or ``/etc/apt/sources.list``), so dockopt adds no host
name of its own and follows whatever mirror or proxy the machine is configured for. The
downloaded index is cached on disk under its date: one fetch a day per suite and arch.
"""

from __future__ import annotations

import datetime as dt
import gzip
import lzma
import os
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import DockoptError
from helpers.security.deb822 import source_of, stanzas

APT_SOURCES = (Path("/etc/apt/sources.list.d"), Path("/etc/apt/sources.list"))
CACHE_DIR = Path(os.environ.get("DOCKOPT_CACHE", Path.home() / ".cache" / "dockopt")) / "debian-security"
ARCH_TO_DEB = {"amd64": "amd64", "arm64": "arm64", "arm": "armhf", "386": "i386", "ppc64le": "ppc64el",
               "s390x": "s390x"}  # image config (Go) architecture -> Debian architecture
COMPRESSIONS = ((".xz", lzma.decompress), (".gz", gzip.decompress))


class NoSecuritySource(DockoptError):
    """The host's apt configuration names no ``*-security`` suite to read the index from."""


@dataclass(frozen=True)
class AptSource:
    uri: str
    suite: str
    components: tuple[str, ...]


def parse_deb822_sources(text: str) -> list[AptSource]:
    found = []
    for stanza in stanzas(text):
        if "deb" not in stanza.get("Types", "").split() or stanza.get("Enabled", "yes").lower() == "no":
            continue
        for uri in stanza.get("URIs", "").split():
            for suite in stanza.get("Suites", "").split():
                found.append(AptSource(uri.rstrip("/"), suite, tuple(stanza.get("Components", "").split())))
    return found


def parse_one_line_sources(text: str) -> list[AptSource]:
    found = []
    for line in text.splitlines():
        line = re.sub(r"\[[^]]*\]", " ", line.split("#", 1)[0]).split()  # drop [arch=... signed-by=...]
        if len(line) >= 3 and line[0] == "deb":
            found.append(AptSource(line[1].rstrip("/"), line[2], tuple(line[3:])))
    return found


def host_sources(locations=APT_SOURCES) -> list[AptSource]:
    found: list[AptSource] = []
    for location in locations:
        files = sorted(location.glob("*")) if location.is_dir() else [location] if location.is_file() else []
        for path in files:
            if path.suffix == ".sources":
                found += parse_deb822_sources(path.read_text(errors="replace"))
            elif path.suffix == ".list" or path.name == "sources.list":
                found += parse_one_line_sources(path.read_text(errors="replace"))
    return found


def security_source(sources: list[AptSource]) -> AptSource:
    for source in sources:
        if source.suite.endswith("-security"):
            return source
    raise NoSecuritySource("The host's apt sources name no *-security suite, so there is no mirror to read "
                           "Debian's security index from.",
                           hint="add the security suite to /etc/apt/sources.list.d/debian.sources.")


def index_url(source: AptSource, codename: str, arch: str, component: str = "main", ext: str = ".xz") -> str:
    """The Packages index of ``<codename>-security`` on the host's security mirror."""
    return f"{source.uri}/dists/{codename}-security/{component}/binary-{arch}/Packages{ext}"


@dataclass(frozen=True)
class SecurityIndex:
    url: str
    fetched: str  # ISO date the index was downloaded
    packages: dict[str, tuple[str, str]]  # binary package -> (version, source package)


def parse_packages(text: str) -> dict[str, tuple[str, str]]:
    """Binary package -> (highest version listed, source package) from a Packages index."""
    from helpers.security import debversion

    found: dict[str, tuple[str, str]] = {}
    for stanza in stanzas(text):
        name, version = stanza.get("Package"), stanza.get("Version")
        if not name or not version:
            continue
        if name in found and not debversion.less_than(found[name][0], version):
            continue
        found[name] = (version, source_of(stanza)[0])
    return found


def fetch_index(codename: str, arch: str, source: AptSource | None = None, cache_dir: Path = CACHE_DIR,
                today: dt.date | None = None, timeout_s: float = 60) -> SecurityIndex:
    """Today's security index for ``codename``/``arch``, from the cache or the host's mirror."""
    source = source or security_source(host_sources())
    today = today or dt.date.today()
    cache_dir.mkdir(parents=True, exist_ok=True)
    errors = []
    for ext, decompress in COMPRESSIONS:
        url = index_url(source, codename, arch, ext=ext)
        cached = cache_dir / f"{today.isoformat()}_{codename}-security_main_{arch}_Packages{ext}"
        if not cached.exists():
            try:
                with urllib.request.urlopen(url, timeout=timeout_s) as response:
                    data = response.read()
            except OSError as exc:
                errors.append(f"{url}: {exc}")
                continue
            tmp = cached.with_suffix(cached.suffix + ".partial")
            tmp.write_bytes(data)
            tmp.replace(cached)
        text = decompress(cached.read_bytes()).decode("utf-8", errors="replace")
        return SecurityIndex(url, today.isoformat(), parse_packages(text))
    raise DockoptError(f"Debian's security index for {codename}/{arch} could not be downloaded.",
                       hint="check the machine reaches the mirror in its apt sources.", evidence="\n".join(errors))
