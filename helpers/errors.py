"""Errors that dockopt reports to a person: one sentence of what went wrong, one of what to do."""

from __future__ import annotations


class DockoptError(Exception):
    """A failure the user can act on.

    Args:
        message: what went wrong, naming the file, line or resource involved.
        hint: what to do about it (a command to run, a flag to pass).
        evidence: the raw output that shows the failure (a build log tail, stderr).
    """

    def __init__(self, message: str, hint: str = "", evidence: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.evidence = evidence

    def __str__(self) -> str:
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class EngineUnavailable(DockoptError):
    """No Docker engine answers, or it went away mid-run."""


class NoBuildKitClient(DockoptError):
    """No docker client on this machine can run a BuildKit build."""


class BaseImageError(DockoptError):
    """A base image could not be provisioned (debootstrap, import or build failed)."""


class BuildFailed(DockoptError):
    """A docker build exited non-zero; ``evidence`` holds the log tail."""
