"""What every transform module provides, what it may know about the project, and how it declines.

A transform is a module with NAME, FIXES (the lint codes whose findings it removes; empty when
the seed recommends it but no lint rule checks it) and ``apply(doc, project) -> str``, which
edits the :class:`~helpers.variants.doc.Doc` in place and returns one line saying what it did.
A transform that cannot apply safely raises :class:`Skip` with the reason; the phase runner
then keeps the Dockerfile as it was before that transform, so a skip never leaves half an edit.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from helpers.builds.context import ContextScan, scan_context


class Skip(Exception):
    """The transform does not apply here; ``str(exc)`` says why, for the user."""


@dataclass(frozen=True)
class Outcome:
    name: str
    applied: bool
    detail: str  # what was done, or why it was skipped
    fixes: tuple[str, ...] = ()

    def line(self) -> str:
        codes = f" [{', '.join(self.fixes)}]" if self.fixes else ""
        return f"{self.name}{codes}: {self.detail}" if self.applied else f"{self.name}: skipped: {self.detail}"


@dataclass
class Project:
    """The user's project as transforms may consult it: read-only, never written to.

    Args:
        context_dir: the build context.
        dockerfile: the original Dockerfile (its name decides which ignore file is in force).
        healthcheck: a command (shell form) that tells whether the app is healthy; None to infer.
        freeze: ``pip freeze --all`` lines of the ORIGINAL image; None when it was not built.
        pin: resolves an image reference to ``name@sha256:...``, as a string or a
            ``registry_digest.RegistryPin`` that also says what the digest covers, or why there is
            none (``ref`` None: the base stays as written).
    """

    context_dir: Path
    dockerfile: Path
    healthcheck: str | None = None
    freeze: list[str] | None = None
    pin: Callable[[str], str] | None = None
    extra: dict = field(default_factory=dict)

    @cached_property
    def scan(self) -> ContextScan:
        return scan_context(self.context_dir, self.dockerfile)

    @cached_property
    def files(self) -> list[str]:
        """Every file in the context (relpaths), whatever the user's ignore file says."""
        return [f.relpath for f in self.scan.files]

    def exists(self, relpath: str) -> bool:
        return (self.context_dir / relpath).exists()

    def read(self, relpath: str) -> str | None:
        path = self.context_dir / relpath
        try:
            return path.read_text(errors="replace") if path.is_file() else None
        except OSError:
            return None

    @cached_property
    def pyproject(self) -> dict:
        text = self.read("pyproject.toml")
        if not text:
            return {}
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return {}

    @property
    def project_name(self) -> str | None:
        return (self.pyproject.get("project") or {}).get("name") or \
            (self.pyproject.get("tool", {}).get("poetry") or {}).get("name")
