"""Helpers for the table-driven transform tests: a real context on disk, a transform run on text.

A module of its own (not conftest) so that ``import`` finds it unambiguously next to other
test directories' conftest files.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from helpers.variants.doc import Doc
from helpers.variants.transform import Project, Skip


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def make_context(root: Path, files: dict[str, str | int]) -> Path:
    """Files by relpath: str content, or an int for that many bytes."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, int):
            path.write_bytes(b"\0" * content)
        else:
            path.write_text(content)
    return root


def transformed(transform, dockerfile: str, root: Path, files: dict | None = None, **project_kw) -> str:
    """The rendered Dockerfile after ``transform``, or ``SKIP: reason``."""
    make_context(root, {"Dockerfile": dedent(dockerfile), **(files or {})})
    project = Project(root, root / "Dockerfile", **project_kw)
    doc = Doc.from_text(dedent(dockerfile))
    try:
        transform.apply(doc, project)
    except Skip as why:
        return f"SKIP: {why}"
    return doc.render()
