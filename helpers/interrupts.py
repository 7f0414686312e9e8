"""Make SIGTERM unwind like Ctrl-C, so ``finally`` blocks clean up what a run created.

Python's default SIGTERM ends the process without running ``finally``; CI runners and
``timeout`` send SIGTERM, and a killed run must not leave containers or temp copies behind.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def sigterm_as_interrupt():
    """Within the block, SIGTERM raises KeyboardInterrupt (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
