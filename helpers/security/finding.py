"""Findings are values with evidence; a check that cannot run says why instead of staying silent."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Ordered worst first; SARIF levels follow in ``export``.
SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Rule:
    """What a check looks for, stated once so SARIF, JSON and the score table agree."""

    id: str  # stable code, e.g. "SEC001"
    name: str  # kebab-case noun, e.g. "root-user"
    severity: str  # default severity of its findings
    summary: str  # one line: what is wrong and why an attacker cares


@dataclass(frozen=True)
class Finding:
    """One thing found in one image, with where it was found.

    ``layer`` is the index of the layer that stores the evidence (0 = bottom), ``line`` the
    Dockerfile line that made it when it could be matched, ``deleted_later`` marks content a
    later layer hides: no container sees it, but anyone with the image tarball does.
    """

    rule: str  # Rule.id
    severity: str
    message: str
    path: str = ""  # path inside the image, or "" for image-config findings
    layer: int | None = None
    line: int | None = None
    evidence: str = ""
    deleted_later: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


class NotApplicable(Exception):
    """A check could not run on this input (no Dockerfile given, no container run...).

    The scan records the reason, so a missing check is never mistaken for a clean result.
    """
