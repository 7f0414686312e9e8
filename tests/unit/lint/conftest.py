"""Helpers for lint tests: write a Dockerfile (and context files) into a temp dir and lint it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpers.lint import lint_dockerfile


def write_context(root: Path, dockerfile: str, files: dict[str, str | int] | None = None,
                  name: str = "Dockerfile") -> Path:
    """Files given as text, or as an int size (a sparse file: big on stat, cheap on disk)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / name
    path.write_text(textwrap.dedent(dockerfile).lstrip("\n"))
    for rel, content in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, int):
            with open(target, "wb") as fh:
                fh.truncate(content)
        else:
            target.write_text(content)
    return path


@pytest.fixture
def lint(tmp_path):
    """lint(dockerfile_text, files=None, code=None) -> [(line, code)], dockopt rules only."""

    def run(dockerfile: str, files: dict | None = None, code: str | None = None, **kwargs):
        path = write_context(tmp_path / "ctx", dockerfile, files)
        result = lint_dockerfile(path, hadolint=False, **kwargs)
        assert "DO000" not in result.codes(), [f.message for f in result.findings if f.code == "DO000"]
        return [(f.line, f.code) for f in result.findings if code is None or f.code == code]

    return run


@pytest.fixture(autouse=True)
def own_cache_folder(tmp_path_factory, monkeypatch):
    """Each test starts with an empty dockopt cache (hadolint's findings, the scratch git repository): a
    finding cached by an earlier test or run must not stand in for a hadolint run a test expects."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
