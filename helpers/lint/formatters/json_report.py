"""Findings as JSON: a stable document for scripts and for the report's stored history."""

from __future__ import annotations

import json

from helpers import __version__


def to_dict(result) -> dict:
    run = result.hadolint
    return {
        "tool": "dockopt",
        "version": __version__,
        "dockerfile": str(result.dockerfile),
        "context": str(result.context) if result.context else None,
        "seconds": round(result.seconds, 6),
        "config": str(result.config.source) if result.config.source else None,
        "hadolint": None if run is None else {"version": run.version, "seconds": round(run.seconds, 6),
                                              "error": run.error or None},
        "findings": [f.as_dict() for f in result.findings],
        "suppressed": [f.as_dict() for f in result.suppressed],
    }


def to_json(result) -> str:
    return json.dumps(to_dict(result), indent=2)
