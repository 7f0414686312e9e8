"""Temporary folders a render keeps between its notebooks (derived Dockerfiles, the context copy
they build from: ``dockopt-derived-*``), and how ``dockopt clean`` removes them without pulling a
folder from under a render that is still using it.

A process using a folder holds a shared ``flock`` on a lock file beside it (``<folder>.lock``) for
as long as it uses it; ``remove_unused`` takes the lock exclusively, without waiting, and skips
the folders it cannot take. A folder freed between two notebooks and removed then is derived again
by the next notebook (the derivation checks its files on disk before reusing them).
"""

from __future__ import annotations

import fcntl
import shutil
import tempfile
from pathlib import Path

PREFIX = "dockopt-derived-"


def lock_path(folder: Path) -> Path:
    return folder.with_name(folder.name + ".lock")


def hold(folder: Path):
    """A shared lock on ``folder`` for as long as the returned file stays open (``close()`` frees it)."""
    fh = open(lock_path(folder), "a+")  # noqa: SIM115 - held open on purpose: closing it frees the lock
    fcntl.flock(fh, fcntl.LOCK_SH)
    return fh


def remove_unused(scratch: Path | None = None) -> tuple[list[str], list[str]]:
    """(removed, in use): every ``dockopt-derived-*`` folder no running process holds is removed."""
    removed, in_use = [], []
    for folder in sorted(Path(scratch or tempfile.gettempdir()).glob(PREFIX + "*")):
        if not folder.is_dir() or folder.is_symlink():
            continue
        with open(lock_path(folder), "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                in_use.append(str(folder))
                continue
            shutil.rmtree(folder, ignore_errors=True)
            lock_path(folder).unlink(missing_ok=True)
        removed.append(str(folder))
    return removed, in_use
