"""The Debian packages installed in an image, read from its ``/var/lib/dpkg/status``.

Read from the image's filesystem rather than by running ``dpkg -l`` in a container, so it
works for images without dpkg, apt or even a shell (distroless-style runtimes keep the file).
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.security.deb822 import source_of, stanzas


@dataclass(frozen=True)
class DebPackage:
    name: str
    version: str
    architecture: str
    source: str
    source_version: str


def installed(status_text: str) -> list[DebPackage]:
    """Packages whose status is ``install ok installed`` (half-removed ones hold no files to exploit)."""
    found = []
    for stanza in stanzas(status_text):
        if stanza.get("Status", "").split()[-1:] != ["installed"] or "Package" not in stanza:
            continue
        source, source_version = source_of(stanza)
        found.append(DebPackage(stanza["Package"], stanza.get("Version", ""), stanza.get("Architecture", ""),
                                source, source_version))
    return sorted(found, key=lambda p: (p.name, p.architecture))
