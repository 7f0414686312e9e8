"""Live progress in the terminal: which build runs, its current BuildKit step, elapsed and estimate.

Builds run in places that have no terminal of their own (a papermill kernel), so progress is
a stream of small JSON events. Where they go is decided once per process:

- ``DOCKOPT_PROGRESS`` names a file: events are appended to it, and the process that owns the
  terminal (``dockopt report``) follows the file with :class:`Follower` and draws them;
- else, when stderr is a terminal, the events are drawn here directly (``dockopt measure``);
- else nothing is drawn: a notebook or a log file never gets a status line.

Drawing is one status line rewritten in place (``\\r``) while a build runs, and one permanent
line per finished build with its time. ``--quiet`` turns it off.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ENV = "DOCKOPT_PROGRESS"
QUIET_ENV = "DOCKOPT_QUIET"
_STEP = re.compile(r"^#(\d+) (\[[^\]]+\] .*|exporting to image)$")


@dataclass
class Build:
    """One running build as the terminal shows it."""

    label: str  # e.g. "phase1: cold 2/3"
    estimate_s: float | None
    started: float = field(default_factory=time.monotonic)
    step: str = "starting"
    steps: dict[int, str] = field(default_factory=dict)

    def feed(self, line: str) -> bool:
        """Read one BuildKit ``--progress=plain`` line; True when the current step changed."""
        match = _STEP.match(line.rstrip())
        if match:
            self.steps[int(match.group(1))] = match.group(2)
            if self.step != match.group(2):
                self.step = match.group(2)
                return True
        return False

    def status(self, now: float | None = None, width: int = 100) -> str:
        elapsed = (now or time.monotonic()) - self.started
        estimate = f" of ~{self.estimate_s:.0f} s" if self.estimate_s else ""
        text = f"{self.label}  {elapsed:4.0f} s{estimate}  {self.step}"
        return text if len(text) <= width else text[: width - 1] + "…"


def finished_line(label: str, seconds: float, ok: bool) -> str:
    return f"{label}: {seconds:.1f} s" + ("" if ok else "  FAILED")


class Screen:
    """Draws events on a terminal: a status line rewritten in place, permanent lines for finished builds."""

    def __init__(self, stream=None, width: int | None = None):
        self.stream = stream or sys.stderr
        self.width = width or max(40, _columns() - 1)
        self.build: Build | None = None
        self.drawn = False
        self.lock = threading.Lock()

    def handle(self, event: dict) -> None:
        kind = event.get("t")
        with self.lock:
            if kind == "start":
                self.build = Build(event["label"], event.get("estimate"))
                self._status()
            elif kind == "line" and self.build is not None:
                if self.build.feed(event["line"]):
                    self._status()
            elif kind == "done":
                self._clear()
                self.stream.write(finished_line(event["label"], event["seconds"], event.get("ok", True)) + "\n")
                self.stream.flush()
                self.build = None
            elif kind == "note":
                self._clear()
                self.stream.write(event["text"] + "\n")
                self.stream.flush()
                if self.build is not None:
                    self._status()

    def tick(self) -> None:
        """Redraw the elapsed seconds (called about twice a second)."""
        with self.lock:
            if self.build is not None:
                self._status()

    def _status(self) -> None:
        self.stream.write("\r\x1b[K" + self.build.status(width=self.width))
        self.stream.flush()
        self.drawn = True

    def _clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.drawn = False


def _columns() -> int:
    try:
        return os.get_terminal_size(2).columns
    except OSError:
        return 100


class Reporter:
    """What build code calls: ``start``, ``line`` (each BuildKit line), ``done``, ``note``."""

    def __init__(self, sink=None, local: bool = False):
        self.sink = sink  # a callable taking one event dict, or None to drop events
        self.local = local  # drawn on this process's own terminal: its plain log lines would garble it

    @property
    def active(self) -> bool:
        return self.sink is not None

    def emit(self, kind: str, **data) -> None:
        if self.sink is not None:
            self.sink({"t": kind, **data})

    def start(self, label: str, estimate: float | None = None) -> None:
        self.emit("start", label=label, estimate=estimate)

    def line(self, text: str) -> None:
        if text.startswith("#"):  # only vertex lines matter; skip the rest cheaply
            self.emit("line", line=text)

    def done(self, label: str, seconds: float, ok: bool = True) -> None:
        self.emit("done", label=label, seconds=round(seconds, 2), ok=ok)

    def note(self, text: str) -> None:
        self.emit("note", text=text)


def _file_sink(path: str):
    lock = threading.Lock()

    def write(event: dict) -> None:
        with lock, open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")

    return write


def reporter() -> Reporter:
    """The reporter for this process (see the module docstring for where events go)."""
    if os.environ.get(QUIET_ENV):
        return Reporter(None)
    if os.environ.get(ENV):
        return Reporter(_file_sink(os.environ[ENV]))
    if sys.stderr.isatty():
        return Reporter(Screen().handle, local=True)
    return Reporter(None)


class Follower:
    """Follow an events file written by another process (the papermill kernel) and draw it."""

    def __init__(self, path: Path, screen: Screen | None = None, poll_s: float = 0.25):
        self.path = Path(path)
        self.screen = screen or Screen()
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._offset = 0

    def __enter__(self) -> "Follower":
        self.path.touch()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.read()
        self.screen.handle({"t": "note", "text": ""}) if self.screen.drawn else None

    def read(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self._offset)
                chunk = f.read()
        except FileNotFoundError:
            return
        end = chunk.rfind(b"\n")
        if end < 0:
            return
        self._offset += end + 1
        for line in chunk[:end].decode("utf-8", errors="replace").splitlines():
            try:
                self.screen.handle(json.loads(line))
            except (json.JSONDecodeError, KeyError):
                continue

    def _run(self) -> None:
        while not self._stop.is_set():
            self.read()
            self.screen.tick()
            self._stop.wait(self.poll_s)
