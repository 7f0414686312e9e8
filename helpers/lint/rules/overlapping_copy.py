"""DO202: the same context files copied twice to the same place (``COPY src/ ./src/`` then ``COPY . .``)."""

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
WHY = ("Files copied twice to the same place are stored twice: the later layer shadows the earlier one but both "
       "ship. The broader copy also re-runs on any change to the files the narrow copy was meant to isolate. "
       "Copying one file to two different places is not this: both copies are used.")
FIX = "Copy each path once: make the later COPY name only what is not already in the image."
# Manifests copied early and again by a later `COPY . .` are the cache-friendly pattern, not waste.
GLOB = re.compile(r"[*?\[]")


def _source_key(source: str) -> str:
    """The context path a source covers: '.' -> '', './src/' -> 'src', 'src/*.py' -> 'src'."""
    cut = GLOB.search(source)
    if cut:
        source = source[: cut.start()].rsplit("/", 1)[0] if "/" in source[: cut.start()] else ""
    source = posixpath.normpath(source or ".").strip("/")
    return "" if source in (".", "..") else source


def _is_directory(source: str, key: str, scan) -> bool:
    if not key or source.endswith("/") or GLOB.search(source):
        return True
    if scan is not None:
        if any(f.relpath.startswith(key + "/") for f in scan.files):
            return True
        if any(f.relpath == key for f in scan.files):
            return False
    return "." not in posixpath.basename(key)  # not in the context: `src` is a folder, `app.py` a file


def _mappings(item, workdir: str, scan) -> list[tuple[str, str, str]]:
    """(source as written, context path, where that path lands in the image) for each source."""
    sources = item.copy_sources
    dest = item.value[-1] if item.value else "."
    into_folder = dest.endswith("/") or len(sources) > 1
    dest = posixpath.normpath(posixpath.join(workdir, dest))
    placed = []
    for source in sources:
        key = _source_key(source)
        if _is_directory(source, key, scan):
            placed.append((source, key, dest))  # a folder's content goes into dest
        else:
            placed.append((source, key, posixpath.join(dest, posixpath.basename(key)) if into_folder else dest))
    return placed


def _under(path: str, root: str) -> str | None:
    """``path`` relative to ``root`` when it is root or below it, else None."""
    if not root:
        return path
    if path == root:
        return ""
    return path[len(root) + 1:] if path.startswith(root + "/") else None


def overlaps(first: tuple[str, str], second: tuple[str, str]) -> bool:
    """Whether two (context path, image path) copies put some same context file at the same image path."""
    (src1, dst1), (src2, dst2) = first, second
    rel = _under(src2, src1)
    if rel is not None:
        return posixpath.normpath(posixpath.join(dst1, rel)) == dst2
    rel = _under(src1, src2)
    return rel is not None and posixpath.normpath(posixpath.join(dst2, rel)) == dst1


class _Earlier:
    """Earlier copies by context path, so that a 10,000-instruction file does not compare all pairs."""

    def __init__(self) -> None:
        self.by_source: dict[str, list[tuple[str, int]]] = {}
        self.ordered: list[str] = []

    def add(self, key: str, dest: str, line: int) -> None:
        if key not in self.by_source:
            bisect.insort(self.ordered, key)
        self.by_source.setdefault(key, []).append((dest, line))

    def overlapping(self, key: str, dest: str) -> set[int]:
        parts = key.split("/") if key else []
        related = {"", *("/".join(parts[: i + 1]) for i in range(len(parts)))}  # key and its parents
        start = bisect.bisect_left(self.ordered, key + "/" if key else "")
        for other in self.ordered[start:]:  # and what lies below key
            if key and not other.startswith(key + "/"):
                break
            related.add(other)
        return {line for k in related for d, line in self.by_source.get(k, ()) if overlaps((k, d), (key, dest))}


def check(model, context):
    scan = context.scan() if context else None
    for stage in model.stages:
        workdir = "/"
        earlier = _Earlier()
        for item in stage.instructions:
            if item.cmd == "WORKDIR" and item.value:
                workdir = posixpath.normpath(posixpath.join(workdir, item.value[0]))
            if not item.is_context_copy:
                continue
            placed = _mappings(item, workdir, scan)
            twice = [a for n, (a, key, dest) in enumerate(placed)
                     if any(overlaps((k, d), (key, dest)) for _, k, d in placed[:n])]
            lines = set().union(*(earlier.overlapping(key, dest) for _, key, dest in placed))
            if twice:
                yield found(__name__, model, item.start_line,
                            f"{item.cmd} {' '.join(item.value)} copies {', '.join(dict.fromkeys(twice))} twice")
            elif lines:
                yield found(__name__, model, item.start_line, f"{item.cmd} {' '.join(item.value)} copies again "
                            f"what line(s) {', '.join(str(n) for n in sorted(lines))} copied")
            for source, key, dest in placed:
                if not is_manifest(source):
                    earlier.add(key, dest, item.start_line)
