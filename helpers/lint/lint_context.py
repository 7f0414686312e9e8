"""What a rule may know besides the Dockerfile: the build context on disk and the settings.

The context is scanned at most once per lint, and only if a rule asks (most do not).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helpers.builds.context import ContextError, ContextScan, ignore_file_for, scan_context
from helpers.lint.config import LintConfig


@dataclass
class LintContext:
    dockerfile: Path | None
    context_dir: Path | None
    config: LintConfig = field(default_factory=LintConfig)
    scan_error: ContextError | None = None  # why the context could not be scanned (reported as DO004)
    _scan: ContextScan | None = field(default=None, repr=False)
    # scans shared by the Dockerfiles of one many-file lint: (context, ignore file) -> scan or error
    shared: dict | None = field(default=None, repr=False)

    def scan(self) -> ContextScan | None:
        """The context as BuildKit would send it; None when linting text without a context."""
        if self.context_dir is None or self.scan_error is not None:
            return None
        if self._scan is None:
            key = (self.context_dir.resolve(), ignore_file_for(self.context_dir, self.dockerfile))
            if self.shared is not None and key in self.shared:
                found = self.shared[key]
            else:
                try:
                    found = scan_context(self.context_dir, self.dockerfile)
                except ContextError as exc:
                    found = exc
                if self.shared is not None:
                    self.shared[key] = found
            if isinstance(found, ContextError):
                self.scan_error = found
            else:
                self._scan = found
        return self._scan

    def read_text(self, relpath: str, limit: int = 2 * 1024 * 1024) -> str | None:
        """A small text file from the context (a manifest); None if absent, unreadable or huge."""
        if self.context_dir is None or not relpath:
            return None
        path = (self.context_dir / relpath.lstrip("/")).resolve()
        try:
            if not path.is_relative_to(self.context_dir.resolve()) or not path.is_file():
                return None
            if path.stat().st_size > limit:
                return None
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
