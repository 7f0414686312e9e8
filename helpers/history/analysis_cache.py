"""Cache an image analysis in the history file, keyed by image id and the analysing code.

A re-render with nothing changed must not re-read gigabytes of layers or re-run containers:
an analysis of an image id by the same code gives the same answer, so it is stored once.
"""

from __future__ import annotations

import time
from pathlib import Path

from helpers.history import store
from helpers.history.code_version import package_digest
from helpers.report import render_split


def _gzip_key(diff_id: str, level: int) -> str:
    import zlib

    from helpers.image.gzip_size import METHOD

    # the diff id is the sha256 of the layer tar: same id, same bytes, same gzip size for a zlib
    # and a way of cutting the stream
    return f"layer-gzip:{diff_id}:{level}:{zlib.ZLIB_RUNTIME_VERSION}:{METHOD}"


def layer_gzip_sizes(history: Path, diff_ids: list[str], level: int) -> dict[str, int]:
    """The gzip sizes already measured for these layers (a base layer every variant shares is
    compressed once per history file, not once per image)."""
    with store.open_history(history) as hist:
        found = {d: hist.get_analysis(_gzip_key(d, level)) for d in dict.fromkeys(diff_ids)}
    return {d: size for d, size in found.items() if isinstance(size, int)}


def remember_layer_gzip_sizes(history: Path, sizes: dict[str, int], level: int) -> None:
    if not sizes:
        return
    with store.open_history(history) as hist:
        for diff_id, size in sizes.items():
            hist.put_analysis(_gzip_key(diff_id, level), "layer-gzip", diff_id, size, 0.0)


def lookup(history: Path, kind: str, image_id: str, extra: str = ""):
    """The stored result of an analysis, or None when this version of dockopt never computed it."""
    with store.open_history(history) as hist:
        return hist.get_analysis(f"{kind}:{image_id}:{package_digest()}:{extra}")


def cached(history: Path, kind: str, image_id: str, compute, fresh: bool = False,
           extra: str = "", keep=None):
    """``compute()``'s result for this image and code, from the history file when it is there.

    ``keep(result)`` false means the result is returned but not stored (e.g. a health check that
    timed out on a loaded machine is checked again next time rather than remembered)."""
    key = f"{kind}:{image_id}:{package_digest()}:{extra}"
    with store.open_history(history) as hist:
        if not fresh:
            found = hist.get_analysis(key)
            if found is not None:
                return found
        elif render_split.active():  # --fresh: what an earlier notebook of this render computed is reused
            if render_split.this_render(hist.analysis_created_at(key)):
                found = hist.get_analysis(key)
                if found is not None:
                    return found
    start = time.perf_counter()
    with render_split.spent(render_split.ANALYSIS, kind):
        result = compute()
    if keep is not None and not keep(result):
        return result
    with store.open_history(history) as hist:
        hist.put_analysis(key, kind, image_id, result, time.perf_counter() - start)
    return result
