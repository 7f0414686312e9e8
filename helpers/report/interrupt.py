"""Ctrl-C during a render: stop within seconds, clean up, keep what was measured.

The notebooks run in a Jupyter kernel that is its own process group (jupyter_client starts
it in a new session), so a terminal's Ctrl-C reaches dockopt but not the kernel; left alone,
the kernel would be shut down mid-cell, its ``finally`` blocks would not run and a container
it had started would keep running. So while a render runs, SIGINT and SIGTERM are caught
and passed on to the kernel's process group as SIGINT: the cell raises KeyboardInterrupt,
the running build (the docker client is in that group) is cancelled, containers are removed
by the code that started them, and the scenarios already measured stay in the history. No
further cell starts. The kernel's own stdout and stderr (its warnings, a traceback of its
own) go to a log file in the report folder, not to the terminal. A kernel that has not stopped after ``GRACE_S`` is killed; a second
Ctrl-C stops at once. Whatever the kernel could not remove is removed by its render label
(``org.dockopt.render``) afterwards (``helpers.engine.cleanup.remove_render_containers``).
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

GRACE_S = 15.0


class StopRequested(Exception):
    """Raised before a cell starts once a stop was asked for (nbclient then shuts the kernel down)."""


@dataclass
class Stop:
    """The state of one render's stop: asked for or not, and the kernels to pass it on to."""

    requested: bool = False
    signal_name: str = ""
    kernels: list = field(default_factory=list)
    timer: threading.Timer | None = None
    kernel_log: Path | None = None  # where the kernels' stdout and stderr go (None: the terminal)

    def before_cell(self, **_) -> None:  # nbclient's on_cell_start hook
        if self.requested:
            raise StopRequested(f"stopped on {self.signal_name}")

    def started(self, manager) -> None:
        self.kernels.append(manager)
        if self.requested:  # the stop came while the kernel was starting
            signal_group(manager, signal.SIGINT)

    def request(self, signum: int) -> None:
        first = not self.requested
        self.requested, self.signal_name = True, self.signal_name or signal.Signals(signum).name
        if not first:  # a second Ctrl-C: no more waiting
            self.kill()
            raise KeyboardInterrupt(self.signal_name)
        for manager in self.kernels:
            signal_group(manager, signal.SIGINT)
        self.timer = threading.Timer(GRACE_S, self.kill)
        self.timer.daemon = True
        self.timer.start()

    def kill(self) -> None:
        for manager in self.kernels:
            signal_group(manager, signal.SIGKILL)

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


_current: Stop | None = None


def signal_group(manager, signum: int) -> None:
    """Signal the kernel's process group (the kernel and the docker clients it runs)."""
    provisioner = getattr(manager, "provisioner", None)
    process = getattr(provisioner, "process", None)
    if process is None:
        return
    try:
        os.killpg(os.getpgid(process.pid), signum)
    except (ProcessLookupError, PermissionError):
        pass  # it is gone already


class RenderKernelManager(AsyncKernelManager):
    """The kernel manager papermill uses for a render: it tells the render's Stop the kernel it started."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        log = _current.kernel_log if _current is not None else None
        if log is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:  # the kernel keeps its own copy of the descriptor
            return await super()._async_launch_kernel(kernel_cmd, **{**kw, "stdout": out, "stderr": out})

    async def _async_post_start_kernel(self, **kw) -> None:
        await super()._async_post_start_kernel(**kw)
        if _current is not None:
            _current.started(self)


@contextmanager
def forwarded(kernel_log: Path | None = None):
    """Within the block, SIGINT and SIGTERM stop the render as described above (main thread only)."""
    global _current
    stop = Stop(kernel_log=kernel_log)
    if threading.current_thread() is not threading.main_thread():
        _current = stop
        try:
            yield stop
        finally:
            _current = None
        return
    handler = lambda signum, frame: stop.request(signum)  # noqa: E731
    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    _current = stop
    try:
        yield stop
    finally:
        _current = None
        stop.close()
        for signum, old in previous.items():
            signal.signal(signum, old)


def engine_kwargs(stop: Stop) -> dict:
    """What papermill passes on to nbclient so the render's kernels can be stopped."""
    return {"kernel_manager_class": RenderKernelManager, "on_cell_start": stop.before_cell}
