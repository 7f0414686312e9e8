"""Findings as JSON: a stable document for scripts and for the report's stored history."""

from __future__ import annotations

import json

from helpers import __version__
from helpers.lint.finding import SEVERITIES


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
                                              "error": run.error or None, "cached": run.cached},
        "findings": [f.as_dict() for f in result.findings],
        "suppressed": [f.as_dict() for f in result.suppressed],
        "overruled": [f.as_dict() for f in result.overruled],
    }


def batch_to_dict(batch) -> dict:
    """One document for a many-file lint: each file's document as above, then what could not be linted."""
    counts = batch.counts()
    discovery = batch.discovery
    files = []
    for result in batch.results:
        doc = to_dict(result)
        target = batch.targets.get(result.dockerfile)
        ignore = target.ignore_file if target else None
        doc["ignore_file"] = str(ignore) if ignore else None
        doc["context_from"] = str(target.mapped_by) if target and target.mapped_by else None
        files.append(doc)
    return {
        "tool": "dockopt",
        "version": __version__,
        "summary": {
            "files": len(batch.results), "could_not_lint": len(batch.errors),
            "findings": {s: counts[s] for s in SEVERITIES}, "seconds": round(batch.seconds, 6),
            "gitignore": discovery.gitignore if discovery else None,
            "excluded": [str(p) for p in discovery.excluded] if discovery else [],
        },
        "hadolint": {"version": batch.hadolint_version or None, "batches": batch.hadolint_batches,
                     "cached_files": batch.hadolint_cached},
        "files": files,
        "errors": [{"dockerfile": str(e.dockerfile), "message": e.message} for e in batch.errors],
    }


def to_json(result) -> str:
    return json.dumps(batch_to_dict(result) if hasattr(result, "results") else to_dict(result), indent=2)
