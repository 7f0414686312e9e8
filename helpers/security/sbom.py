"""What software the image holds, as a CycloneDX 1.5 JSON SBOM: Python distributions and dpkg packages.

Python distributions are read from ``*.dist-info/METADATA`` anywhere in the final filesystem
(system ``dist-packages``, ``site-packages``, virtualenvs such as ``/opt/venv``), so pip need
not exist in the image. Only visible files count: a distribution a later layer removed does
not run.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from email.parser import HeaderParser

from helpers.security.dpkg_status import DebPackage

SPEC_VERSION = "1.5"
_METADATA = re.compile(r"/[^/]+\.dist-info/METADATA$")


@dataclass(frozen=True)
class PythonDist:
    name: str
    version: str
    path: str  # the dist-info directory
    layer: int


def normalise_name(name: str) -> str:
    """PEP 503 normalised project name, as package URLs (purl) and PyPI spell it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def python_dists(facts) -> list[PythonDist]:
    found = []
    for path, placed in facts.final.items():
        if not _METADATA.search(path):
            continue
        text = facts.file_text(path)
        if text is None:
            continue
        headers = HeaderParser().parsestr(text, headersonly=True)
        if headers.get("Name") and headers.get("Version"):
            found.append(PythonDist(headers["Name"], headers["Version"], path.rsplit("/", 1)[0], placed.layer))
    return sorted(found, key=lambda d: (normalise_name(d.name), d.path))


def _component(kind: str, name: str, version: str, purl: str, properties: dict[str, str]) -> dict:
    return {"type": "library", "bom-ref": purl, "name": name, "version": version, "purl": purl,
            "properties": [{"name": f"dockopt:{k}", "value": str(v)} for k, v in properties.items()]
            + [{"name": "dockopt:ecosystem", "value": kind}]}


def cyclonedx(image_name: str, image_id: str, python: list[PythonDist], debs: list[DebPackage],
              distro: str = "", now: dt.datetime | None = None, serial: str | None = None) -> dict:
    """The SBOM as a CycloneDX 1.5 JSON document (a dict ready for ``json.dump``).

    Args:
        distro: the ``distro`` purl qualifier for Debian packages, e.g. ``debian-12``.
        now, serial: fixed values make the document reproducible in tests.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    components, seen = [], set()
    for dist in python:
        purl = f"pkg:pypi/{normalise_name(dist.name)}@{dist.version}"
        if purl not in seen:  # the same distribution in two environments is one component, first location kept
            seen.add(purl)
            components.append(_component("python", dist.name, dist.version, purl, {"path": dist.path, "layer": dist.layer}))
    qualifier = f"&distro={distro}" if distro else ""
    for deb in debs:
        purl = f"pkg:deb/debian/{deb.name}@{deb.version}?arch={deb.architecture}{qualifier}"
        if purl not in seen:
            seen.add(purl)
            components.append(_component("debian", deb.name, deb.version, purl, {"source": deb.source}))
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": serial or f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "dockopt"}]},
            "component": {"type": "container", "bom-ref": image_id or image_name, "name": image_name,
                          "version": image_id},
        },
        "components": components,
    }
