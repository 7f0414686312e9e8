"""A finding is a value: what is wrong, where, how bad, and which tools say so."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

SEVERITIES = ("error", "warning", "info", "style")  # most to least severe, as hadolint orders them
CATEGORIES = {
    # seed section -> category; the order is the seed's, so reports list them the same way
    "syntax": "Dockerfile the target engine cannot build as written",
    "multi-stage": "Current issue 1: no multi-stage build",
    "layer-caching": "Current issue 2: poor layer caching",
    "security": "Current issue 3: security concerns",
    "build-speed": "Current issue 4: build speed",
    "image-size": "Current issue 5: image size",
    "best-practice": "Additional best practices (.dockerignore, RUN, pinning, HEALTHCHECK)",
}


def severity_rank(severity: str) -> int:
    """0 for error ... 3 for style; unknown severities sort last."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def at_or_above(severity: str, threshold: str) -> bool:
    return severity_rank(severity) <= severity_rank(threshold)


@dataclass(frozen=True)
class Finding:
    """One problem at one place.

    ``line`` is None for findings about the build context rather than a line (a missing
    .dockerignore). ``sources`` lists every tool code that reports this same problem here,
    ours first (``("DO503", "DL3015")``), so a merged finding still credits hadolint.
    """

    code: str
    severity: str
    category: str
    message: str
    file: str
    line: int | None
    column: int = 1
    fix: str = ""
    sources: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")
        if not self.sources:
            object.__setattr__(self, "sources", (self.code,))

    def with_(self, **changes) -> "Finding":
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "category": self.category, "message": self.message,
                "file": self.file, "line": self.line, "column": self.column, "fix": self.fix,
                "sources": list(self.sources)}

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, severity_rank(self.severity), self.code)
