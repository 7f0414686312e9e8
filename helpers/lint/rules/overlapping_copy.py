"""DO202: the same context files copied twice (``COPY src/ ./src/`` then ``COPY . .``)."""

from __future__ import annotations

import bisect
import posixpath
import re

from helpers.lint.knowledge import is_manifest
from helpers.lint.rule import found

CODE = "DO202"
SEVERITY = "warning"
CATEGORY = "layer-caching"
TITLE = "Duplicate or overlapping COPY"
WHY = ("Files copied twice are stored twice: the later layer shadows the earlier one but both ship. The "
       "broader copy also re-runs on any change to the files the narrow copy was meant to isolate.")
FIX = "Copy each path once: make the later COPY name only what is not already in the image."
# Manifests copied early and again by a later `COPY . .` are the cache-friendly pattern, not waste.
GLOB = re.compile(r"[*?\[]")


def _key(source: str) -> str:
    """The directory prefix a source covers: '.' -> '', './src/' -> 'src', 'src/*.py' -> 'src'."""
    cut = GLOB.search(source)
    if cut:
        source = source[: cut.start()].rsplit("/", 1)[0] if "/" in source[: cut.start()] else ""
    source = posixpath.normpath(source or ".").strip("/")
    return "" if source in (".", "..") else source


def _overlaps(key: str, seen: dict[str, int], ordered: list[str]) -> set[int]:
    if key == "" and ordered:
        return set(seen.values())
    parts = key.split("/")
    lines = {seen[p] for p in ("", *("/".join(parts[: i + 1]) for i in range(len(parts)))) if p in seen}
    start = bisect.bisect_left(ordered, key + "/")
    for other in ordered[start:]:
        if not other.startswith(key + "/"):
            break
        lines.add(seen[other])
    return lines


def check(model, context):
    for stage in model.stages:
        seen: dict[str, int] = {}
        ordered: list[str] = []
        for item in stage.instructions:
            if not item.is_context_copy:
                continue
            earlier = set()
            for key in map(_key, item.copy_sources):
                earlier |= _overlaps(key, seen, ordered)
            if earlier:
                lines = ", ".join(str(n) for n in sorted(earlier))
                yield found(__name__, model, item.start_line,
                            f"{item.cmd} {' '.join(item.value)} copies again what line(s) {lines} copied")
            for key in map(_key, (s for s in item.copy_sources if not is_manifest(s))):
                if key not in seen:
                    seen[key] = item.start_line
                    bisect.insort(ordered, key)
