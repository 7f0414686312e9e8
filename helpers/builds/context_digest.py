"""A content hash of the build context as BuildKit would receive it (ignore files honoured).

The measurement cache must miss when any file that is sent changes and hit when only
ignored files change, so the digest covers exactly the files the ignore rules let through
(``helpers.builds.context``, the one implementation of .dockerignore semantics): their relative
paths, executable bit and bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from helpers.builds.context import context_files


def sent_files(context: Path, dockerfile: Path | None = None) -> list[str]:
    """Relative paths of the files and symlinks a build of ``context`` sends, sorted."""
    return sorted(rel for rel, _ in context_files(context, dockerfile))


def context_digest(context: Path, dockerfile: Path | None = None) -> str:
    """sha256 over (path, executable bit, content) of every file sent, in path order."""
    context = Path(context)
    h = hashlib.sha256()
    for rel in sent_files(context, dockerfile):
        path = context / rel
        h.update(rel.encode() + b"\0")
        if path.is_symlink():
            h.update(b"L" + os.readlink(path).encode())
        else:
            h.update(b"X" if os.access(path, os.X_OK) else b"F")
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        h.update(b"\0")
    return "sha256:" + h.hexdigest()


def file_digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()
