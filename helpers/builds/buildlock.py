"""One timed build at a time on this machine: concurrent builds would distort each other's time.

An advisory ``flock`` on a file shared by every dockopt process (``DOCKOPT_BUILD_LOCK``, default
in the system temp dir); the kernel releases it if the holder dies, so a crash never wedges it.

While a thread holds the lock, what the engine's BuildKit creates is that thread's doing (other
dockopt builds wait): ``held_since`` gives those windows, so a measurement releases only build
cache made while it built, not what another render built while it waited.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

_held: list[tuple[float, float, int]] = []  # (acquired, released) wall clock, and the thread that held it


def lock_path() -> Path:
    return Path(os.environ.get("DOCKOPT_BUILD_LOCK", Path(tempfile.gettempdir()) / "dockopt-build.lock"))


@contextmanager
def exclusive(path: Path | None = None):
    """Hold the build lock; yields the seconds spent waiting for it (reported, not timed)."""
    path = path or lock_path()
    start = time.perf_counter()
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        acquired = time.time()
        try:
            yield time.perf_counter() - start
        finally:
            _held.append((acquired, time.time(), threading.get_ident()))
            fcntl.flock(fh, fcntl.LOCK_UN)


def held_since(since: float) -> list[tuple[float, float]]:
    """The (acquired, released) wall-clock windows this thread held the lock in, from ``since`` on
    (a measurement runs in one thread; another thread's builds are another measurement's)."""
    me = threading.get_ident()
    return [(start, end) for start, end, thread in _held if start >= since and thread == me]
