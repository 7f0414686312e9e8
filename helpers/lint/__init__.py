"""Dockerfile lint: dockopt's own rules (one module each, see ``registry``) plus hadolint as a peer.

Notebooks and the CLI call :func:`lint_dockerfile`; everything else here is its parts.
"""

from helpers.lint.engine import LintResult, lint_dockerfile
from helpers.lint.finding import SEVERITIES, Finding

__all__ = ["Finding", "LintResult", "SEVERITIES", "lint_dockerfile"]
