"""A content hash of the build context as BuildKit would receive it (ignore files honoured).

The measurement cache must miss when any file that is sent changes and hit when only
ignored files change, so the digest covers exactly the files the ignore rules let through:
their relative paths, executable bit and bytes. ``context_digest()`` is the one entry point;
when a fuller context model exists (helpers.context) it can replace the walk below.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path


def ignore_file(context: Path, dockerfile: Path | None = None) -> Path | None:
    """The ignore file BuildKit uses: ``<Dockerfile>.dockerignore`` beside it, else the context's."""
    if dockerfile is not None:
        own = Path(dockerfile).with_name(Path(dockerfile).name + ".dockerignore")
        if own.is_file():
            return own
    root = Path(context) / ".dockerignore"
    return root if root.is_file() else None


def read_patterns(path: Path | None) -> list[str]:
    if path is None:
        return []
    patterns = []
    for line in path.read_text(errors="replace").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line)
    return patterns


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern:
    """Go filepath.Match plus ``**``, as docker's fileutils compiles a .dockerignore line."""
    out, i = "^", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            if i < len(pattern) and pattern[i] == "/":
                out = out[:-2] + "(.*/)?"
                i += 1
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            end = pattern.find("]", i)
            if end < 0:
                out += re.escape(c)
            else:
                out += "[" + pattern[i + 1:end].replace("!", "^", 1) + "]"
                i = end
        elif c == "\\" and i + 1 < len(pattern):
            out += re.escape(pattern[i + 1])
            i += 1
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + "$")


def _clean(pattern: str) -> str:
    return os.path.normpath(pattern.lstrip("/")).replace(os.sep, "/")


def excluded(relpath: str, patterns: list[str]) -> bool:
    """Whether a context path is left out; the last matching line wins, ``!`` re-includes.

    A pattern that matches any parent directory matches everything under it (the directory
    is not sent, so neither is anything in it).
    """
    parts = relpath.split("/")
    result = False
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = _clean(raw[1:] if negate else raw)
        regex = _regex(pattern)
        matched = any(regex.match("/".join(parts[:n])) for n in range(1, len(parts) + 1))
        if matched:
            result = not negate
    return result


def sent_files(context: Path, dockerfile: Path | None = None) -> list[str]:
    """Relative paths of the regular files and symlinks a build of ``context`` sends."""
    context = Path(context)
    patterns = read_patterns(ignore_file(context, dockerfile))
    out = []
    for root, dirs, files in os.walk(context):
        rel_root = os.path.relpath(root, context).replace(os.sep, "/")
        rel_root = "" if rel_root == "." else rel_root + "/"
        # a directory excluded with no `!` exception below it can be skipped whole
        if not any(p.startswith("!") for p in patterns):
            dirs[:] = [d for d in dirs if not excluded(rel_root + d, patterns)]
        for name in files:
            rel = rel_root + name
            if not excluded(rel, patterns):
                out.append(rel)
    return sorted(out)


def context_digest(context: Path, dockerfile: Path | None = None) -> str:
    """sha256 over (path, executable bit, content) of every file sent, in path order."""
    context = Path(context)
    h = hashlib.sha256()
    for rel in sent_files(context, dockerfile):
        path = context / rel
        h.update(rel.encode() + b"\0")
        if path.is_symlink():
            h.update(b"L" + os.readlink(path).encode())
        else:
            h.update(b"X" if os.access(path, os.X_OK) else b"F")
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
        h.update(b"\0")
    return "sha256:" + h.hexdigest()


def file_digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()
