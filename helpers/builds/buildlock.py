"""One timed build at a time on this machine: concurrent builds would distort each other's time.

An advisory ``flock`` on a file shared by every dockopt process (``DOCKOPT_BUILD_LOCK``, default
in the system temp dir); the kernel releases it if the holder dies, so a crash never wedges it.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def lock_path() -> Path:
    return Path(os.environ.get("DOCKOPT_BUILD_LOCK", Path(tempfile.gettempdir()) / "dockopt-build.lock"))


@contextmanager
def exclusive(path: Path | None = None):
    """Hold the build lock; yields the seconds spent waiting for it (reported, not timed)."""
    path = path or lock_path()
    start = time.perf_counter()
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield time.perf_counter() - start
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
