"""Dockerfile lint: dockopt's own rules (one module each, see ``registry``) plus hadolint as a peer.

Notebooks and the CLI call :func:`lint_dockerfile` (one file) or ``batch.lint_targets`` (many);
everything else here is their parts. Names are imported on first use, so that a many-file lint
can start hadolint before the rules are even imported.
"""

from __future__ import annotations

__all__ = ["SEVERITIES", "Finding", "LintResult", "lint_dockerfile"]


def __getattr__(name: str):
    if name in ("LintResult", "lint_dockerfile"):
        from helpers.lint import engine

        return getattr(engine, name)
    if name in ("Finding", "SEVERITIES"):
        from helpers.lint import finding

        return getattr(finding, name)
    raise AttributeError(f"module 'helpers.lint' has no attribute {name!r}")
