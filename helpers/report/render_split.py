"""Where a render's wall time goes, measured by the code that spends it.

``dockopt report`` sets a render id and the history file in the environment (kernels inherit
it); every place that does a kind of work wraps it in ``spent(category)``, and the seconds are
written to the history file's ``render_time`` table under that render. A block nested in
another is subtracted from its parent (a runtime check inside an analysis counts once, as a
runtime check), so the categories add up to the time they cover without overlap. What no
block covers (kernel start-up, imports, tables and charts) is the notebooks' wall time minus
everything inside them: measured as a difference, never estimated.

Outside a render (a notebook opened in JupyterLab, a test) nothing is recorded.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from helpers.history import store

ENV_ID = "DOCKOPT_RENDER_ID"
ENV_HISTORY = "DOCKOPT_RENDER_HISTORY"
ENV_STARTED = "DOCKOPT_RENDER_STARTED"  # UTC, ISO seconds, as the history file stamps rows

BUILDS = "builds"  # docker build itself (BuildKit client running)
RUNTIME = "runtime checks"  # containers started to check an image
WAIT = "waiting for another build"  # the machine-wide build lock (helpers.builds.buildlock) held by someone else
SETUP = "build set-up"  # temporary contexts, code/dependency edits, cache release around the builds
ANALYSIS = "analysis"  # lint, layer reads, compressed sizes, security scan, variant derivation
RENDERING = "rendering"  # nbconvert HTML and the index page
NOTEBOOK = "notebook"  # one notebook's papermill run, wall time (holds the categories above)
REST = "kernels and cells"  # notebook wall time not inside any block above
WORK = (BUILDS, RUNTIME)  # what the issue counts as work; everything else is overhead

_local = threading.local()


def start(history: str | Path, render_id: str | None = None) -> str:
    """Begin recording a render into ``history`` under ``render_id`` (the render's run id; a new
    one when None); returns it (also set for the kernels)."""
    from datetime import datetime, timezone

    render_id = render_id or f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    os.environ[ENV_ID], os.environ[ENV_HISTORY] = render_id, str(Path(history).resolve())
    os.environ[ENV_STARTED] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return render_id


def stop() -> None:
    for name in (ENV_ID, ENV_HISTORY, ENV_STARTED):
        os.environ.pop(name, None)


def this_render(stamped_at: str | None) -> bool:
    """Whether a history row stamped at ``stamped_at`` was written by the render running now.

    ``--fresh`` means "nothing from before this render": a measurement or analysis an earlier
    notebook of the same render made is reused by the later ones, not made again."""
    started = os.environ.get(ENV_STARTED)
    return bool(started and stamped_at and str(stamped_at) >= started)


def active() -> tuple[str, str] | None:
    render_id, history = os.environ.get(ENV_ID), os.environ.get(ENV_HISTORY)
    return (render_id, history) if render_id and history else None


def record(category: str, seconds: float, what: str = "") -> None:
    current = active()
    if current is None:
        return
    render_id, history = current
    Path(history).parent.mkdir(parents=True, exist_ok=True)
    try:
        store.record_render_time(history, render_id, category, what, seconds, time.time())
    except store.Error as exc:  # bookkeeping never breaks a render; the split then says less, and why
        import sys

        print(f"dockopt: {seconds:.1f} s of {category} not recorded in {history}: {exc}", file=sys.stderr)


def took(category: str, seconds: float, what: str = "") -> None:
    """Record ``seconds`` already measured (a wait the caller timed) as if a ``spent`` block had
    covered them: the enclosing block does not count them again."""
    if active() is None:
        return
    stack = _local.__dict__.get("stack") or []
    if stack:
        stack[-1][0] += seconds
    record(category, seconds, what)


@contextmanager
def spent(category: str, what: str = ""):
    """Count the block's wall time under ``category``, minus any ``spent`` block nested in it."""
    if active() is None:
        yield
        return
    stack = _local.__dict__.setdefault("stack", [])
    inner = [0.0]
    stack.append(inner)
    begin = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - begin
        stack.pop()
        if stack:
            stack[-1][0] += elapsed
        record(category, elapsed - inner[0], what)


def rows(history: str | Path, render_id: str) -> list[tuple[str, str, float]]:
    """(category, what, seconds) recorded for one render."""
    if not Path(history).is_file():
        return []
    return [(c, w or "", float(s)) for c, w, s in store.render_time(history, render_id)]


def latest(history: str | Path) -> str | None:
    """The id of the last render recorded in ``history``."""
    if not Path(history).is_file():
        return None
    return store.latest_render_id(history)


def split(records: list[tuple[str, str, float]], total: float) -> dict[str, float]:
    """Seconds per category for a render that took ``total`` seconds of wall time.

    Notebook rows hold the categories measured inside the kernels; what they do not cover is
    ``REST``. Whatever the render spent outside the notebooks and the rendering (starting up,
    reading the summary) is ``other``.
    """
    sums: dict[str, float] = {}
    for category, _, seconds in records:
        sums[category] = sums.get(category, 0.0) + seconds
    notebooks = sums.pop(NOTEBOOK, 0.0)
    inside = sum(v for k, v in sums.items() if k != RENDERING)
    out = {k: sums.get(k, 0.0) for k in (BUILDS, RUNTIME, WAIT, SETUP, ANALYSIS, RENDERING)}
    out.update({k: v for k, v in sums.items() if k not in out})
    out[REST] = max(0.0, notebooks - inside)
    out["other"] = max(0.0, total - notebooks - sums.get(RENDERING, 0.0))
    return out


def overhead(parts: dict[str, float]) -> tuple[float, float]:
    """(seconds, share of the total) outside docker build and the runtime checks."""
    total = sum(parts.values())
    outside = total - sum(parts.get(k, 0.0) for k in WORK)
    return outside, (outside / total if total else 0.0)


def table(parts: dict[str, float]) -> list[dict]:
    """Rows for the page: category, seconds, share; overhead last."""
    total = sum(parts.values())
    out = [{"category": k, "seconds": round(v, 1), "share": f"{100 * v / total:.0f}%" if total else "-"}
           for k, v in parts.items()]
    seconds, share = overhead(parts)
    out.append({"category": "overhead (all but builds and runtime checks)", "seconds": round(seconds, 1),
                "share": f"{100 * share:.0f}%"})
    out.append({"category": "total (wall time)", "seconds": round(total, 1), "share": "100%"})
    return out
