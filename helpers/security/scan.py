"""Scan one image: every check, OS package exposure, SBOM, external scanners, score.

``scan_image`` takes an engine image (its layers read from the engine's layer store, or saved
to a temporary tarball where that cannot be read, plus a container run for the actual uid);
``scan_archive`` takes a ``docker save`` tarball and needs no engine, which is how the unit tests
run the same code on recorded fixtures. Both scan an ``ImageReader`` with ``scan_opened``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helpers.image.archive import SavedImage
from helpers.image.reader import ImageReader
from helpers.security import debian_security, dpkg_status, os_fixes, sbom, scanners
from helpers.security.checks import CHECKS
from helpers.security.facts import DPKG_STATUS, ImageFacts, gather
from helpers.security.finding import SEVERITIES, Finding, NotApplicable
from helpers.security.score import score

IndexSource = Callable[[str, str], debian_security.SecurityIndex]


@dataclass
class SecurityReport:
    """One image's security result; DataFrame views for notebooks, plain data for export."""

    image: str
    image_id: str
    finding_list: list[Finding]
    points: int
    grade: str
    breakdown_rows: list[dict]
    os: os_fixes.OsFixes
    sbom: dict
    scanner_list: list[scanners.ScannerStatus]
    not_run: dict[str, str] = field(default_factory=dict)  # check module -> why it could not run
    source: str = ""  # where the layers were read from: the engine's layer store, or docker save and why

    @property
    def score(self) -> int:
        return self.points

    @property
    def findings(self):
        import pandas as pd

        columns = ["rule", "severity", "message", "path", "layer", "line", "evidence", "deleted_later"]
        return pd.DataFrame([f.as_dict() for f in self.finding_list], columns=columns)

    @property
    def breakdown(self):
        import pandas as pd

        return pd.DataFrame(self.breakdown_rows)

    @property
    def os_fixes(self):
        import pandas as pd

        return pd.DataFrame([vars(p) for p in self.os.pending], columns=["package", "installed", "fixed", "source"])

    @property
    def scanners(self):
        import pandas as pd

        rows = [{"name": "debian-security-index", "status": "scanned" if self.os.scanned else "skipped",
                 "reason": self.os.reason or f"{self.os.packages_checked} packages vs {self.os.index_url} "
                 f"({self.os.index_date})", "vulnerabilities": self.os.count}]
        rows += [vars(s) for s in self.scanner_list]
        # object dtype: a scanner that did not run keeps None (pandas would turn it into NaN, which
        # then printed as "skipped: nan found" and exported as invalid JSON)
        return pd.DataFrame(rows, columns=["name", "status", "reason", "vulnerabilities"], dtype=object)

    def counts(self) -> dict[str, int]:
        """Findings per severity, worst first (every severity present, zeros included)."""
        return {s: sum(1 for f in self.finding_list if f.severity == s) for s in SEVERITIES}


def run_checks(facts: ImageFacts) -> tuple[list[Finding], dict[str, str]]:
    found, not_run = [], {}
    for module in CHECKS:
        name = module.__name__.rsplit(".", 1)[-1]
        try:
            found += module.check(facts)
        except NotApplicable as exc:
            not_run[name] = str(exc)
    return found, not_run


def check_os(facts: ImageFacts, index: IndexSource | None) -> tuple[os_fixes.OsFixes, list]:
    status = facts.file_text(DPKG_STATUS)
    if status is None:
        return os_fixes.OsFixes(False, f"no {DPKG_STATUS} in the image: not a dpkg-based image"), []
    installed = dpkg_status.installed(status)
    release = facts.os_release()
    if release.get("ID") != "debian" or not release.get("VERSION_CODENAME"):
        return os_fixes.OsFixes(False, f"not Debian (os-release ID={release.get('ID')!r}): "
                                "Debian's security index does not apply"), installed
    if index is None:
        return os_fixes.OsFixes(False, "security index lookup disabled by the caller"), installed
    arch = debian_security.ARCH_TO_DEB.get(facts.config.get("architecture", ""), facts.config.get("architecture", ""))
    try:
        fetched = index(release["VERSION_CODENAME"], arch)
    except Exception as exc:  # noqa: BLE001 - any failure means "not scanned", with its reason
        return os_fixes.OsFixes(False, f"security index unavailable: {exc}"), installed
    pending = os_fixes.pending_fixes(installed, fetched.packages)
    return os_fixes.OsFixes(True, "", fetched.url, fetched.fetched, len(installed), pending), installed


def scan_archive(
    path: str | Path,
    name: str | None = None,
    dockerfile: str | Path | None = None,
    secrets: tuple[str, ...] | list[str] = (),
    build_args: dict[str, str] | None = None,
    index: IndexSource | None = debian_security.fetch_index,
    runtime: tuple[int | None, str] | None = None,
    engine_tag: str | None = None,
    image_id: str = "",
) -> SecurityReport:
    """Scan a ``docker save`` tarball.

    Args:
        dockerfile: the Dockerfile (path or text) that built the image: enables the base-pin
            check and Dockerfile line numbers.
        secrets: build-secret values to prove absent from every layer, the config and history.
        index: where Debian's security index comes from (None: do not look, report "not scanned").
        runtime: (uid, how) measured in a container, if one was run.
        engine_tag: the engine's name for the image, for trivy/grype; without it they are skipped.
        image_id: the engine's image id, when known (names the SBOM's subject).
    """
    text = dockerfile_text(dockerfile)
    with SavedImage(path) as image:
        return scan_opened(image, name or str(path), text, secrets, build_args, index, runtime, engine_tag, image_id)


def dockerfile_text(dockerfile: str | Path | None) -> str | None:
    """The Dockerfile's text from a path or the text itself."""
    if dockerfile is None:
        return None
    is_file = isinstance(dockerfile, Path) or ("\n" not in dockerfile and Path(dockerfile).is_file())
    return Path(dockerfile).read_text() if is_file else str(dockerfile)


def scan_opened(image: ImageReader, name: str, text: str | None, secrets, build_args, index, runtime, engine_tag,
                image_id) -> SecurityReport:
    """The scan of an opened image, whichever reader opened it."""
    uid, note = runtime or (None, "no container was run")
    facts = gather(image, name, dockerfile=text, build_args=dict(build_args or {}),
                   secrets=tuple(s for s in secrets if s), runtime_uid=uid, runtime_note=note)
    found, not_run = run_checks(facts)
    os_result, debs = check_os(facts, index)
    found += os_fixes.as_findings(os_result)
    python = sbom.python_dists(facts)
    release = facts.os_release()
    distro = f"{release.get('ID', '')}-{release.get('VERSION_ID', '')}" if release else ""
    bom = sbom.cyclonedx(facts.name, image_id, python, debs, distro=distro)
    if runtime is None:
        not_run["runtime_uid"] = note
    points, grade, breakdown = score(found)
    return SecurityReport(facts.name, image_id, found, points, grade, breakdown, os_result, bom,
                          scanners.run_all(engine_tag, python), not_run)


def scan_image(
    tag: str,
    dockerfile: str | Path | None = None,
    secrets: tuple[str, ...] | list[str] = (),
    build_args: dict[str, str] | None = None,
    run_container: bool = True,
    index: IndexSource | None = debian_security.fetch_index,
) -> SecurityReport:
    """Scan an image in the engine, plus one labelled, removed container to measure the uid it
    really runs as. The layers are read from the engine's layer store where it is local (no
    export); otherwise the image is saved to a temporary tarball (deleted after)."""
    from helpers.engine import images
    from helpers.image.source import read_image
    from helpers.security import runtime as runtime_uid

    inspect = images.inspect(tag)
    image_id = inspect["Id"]
    runtime = runtime_uid.measure_uid(tag) if run_container else None
    text = dockerfile_text(dockerfile)

    def scan(image: ImageReader) -> SecurityReport:
        return scan_opened(image, tag, text, secrets, build_args, index, runtime, tag, image_id)

    report, where = read_image(tag, inspect, scan)
    report.source = where
    return report
