"""Installed Debian packages for which the security suite has a newer version: fixes not applied.

No vulnerability database is needed: every upload to ``<codename>-security`` is a security
fix, so an installed version older than the suite's is a known, fixed, unpatched issue. This
undercounts (issues Debian fixed only in a point release, or not at all, are invisible) and
never overcounts; the result says which index and date it used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helpers.security import debversion
from helpers.security.dpkg_status import DebPackage
from helpers.security.finding import Finding, Rule

RULE = Rule("SEC016", "os-security-fix-pending", "high",
            "An installed Debian package is older than the version in Debian's security suite.")
RULES = (RULE,)


@dataclass(frozen=True)
class PendingFix:
    package: str
    installed: str
    fixed: str
    source: str


@dataclass
class OsFixes:
    """The outcome, scanned or not: ``scanned`` False means no claim either way (see ``reason``)."""

    scanned: bool
    reason: str = ""
    index_url: str = ""
    index_date: str = ""
    packages_checked: int = 0
    pending: list[PendingFix] = field(default_factory=list)

    @property
    def count(self) -> int | None:
        """How many packages have a pending fix; None when nothing was scanned (never 0 for that)."""
        return len(self.pending) if self.scanned else None


def pending_fixes(installed: list[DebPackage], index: dict[str, tuple[str, str]]) -> list[PendingFix]:
    found = []
    for package in installed:
        if package.name in index:
            fixed, source = index[package.name]
            if debversion.less_than(package.version, fixed):
                found.append(PendingFix(package.name, package.version, fixed, source or package.source))
    return found


def as_findings(result: OsFixes) -> list[Finding]:
    return [Finding(RULE.id, RULE.severity, f"{fix.package} {fix.installed} has a security fix in {fix.fixed}.",
                    path="/var/lib/dpkg/status", evidence=f"source package {fix.source}; index {result.index_url} "
                    f"({result.index_date})") for fix in result.pending]
