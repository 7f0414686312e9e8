"""The build context as BuildKit sees it: which files are sent, and how many bytes.

Lint (weak .dockerignore, model files baked in) and measurement (context bytes before and
after phase 1) both need the same answer, so the walk and the ignore-file semantics live
here once. Matching follows moby's patternmatcher, which BuildKit uses: patterns are cleaned
Go ``filepath.Match`` globs with ``**``, a leading ``!`` re-includes, the last matching
pattern wins, and a pattern that matches a directory excludes everything below it.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from helpers.errors import DockoptError


class ContextError(DockoptError):
    """The build context or its ignore file cannot be read."""


@dataclass(frozen=True)
class IgnorePattern:
    text: str  # as cleaned, without the leading "!"
    exclusion: bool  # a "!" pattern: re-includes what earlier patterns excluded
    line: int
    regex: re.Pattern = field(compare=False, repr=False)


def _glob_to_regex(pattern: str) -> str:
    """Translate one cleaned pattern the way moby's patternmatcher does (POSIX separators)."""
    out = ["^"]
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        ch = pattern[i]
        i += 1
        if in_class:
            if ch == "]":
                in_class = False
            out.append("\\\\" if ch == "\\" else ch)
            continue
        if ch == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                out.append(".*" if i >= n else "(.*/)?")
            else:
                out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            in_class = True
            out.append("[")
            if i < n and pattern[i] in "!^":  # Go spells negation [^...]; accept [!...] too
                out.append("^")
                i += 1
        elif ch == "\\":
            out.append(re.escape(pattern[i]) if i < n else "\\\\")
            i += 1
        else:
            out.append(re.escape(ch))
    if in_class:  # an unterminated class is a bad pattern in Go; match it literally
        return "^" + re.escape(pattern) + "$"
    out.append("$")
    return "".join(out)


def parse_ignore(text: str) -> list[IgnorePattern]:
    """Read .dockerignore text into patterns, cleaned as moby's ignorefile.ReadAll does."""
    patterns = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exclusion = line.startswith("!")
        if exclusion:
            line = line[1:].strip()
        if not line:
            continue
        line = posixpath.normpath(line.replace("\\", "/") if os.sep == "\\" else line)
        if len(line) > 1 and line.startswith("/"):
            line = line.lstrip("/") or "/"
        patterns.append(IgnorePattern(line, exclusion, number, re.compile(_glob_to_regex(line))))
    return patterns


def is_ignored(relpath: str, patterns: list[IgnorePattern]) -> bool:
    """Whether BuildKit leaves ``relpath`` (POSIX, relative to the context) out of the context."""
    parents = relpath.split("/")[:-1]
    matched = False
    for pattern in patterns:
        if pattern.exclusion != matched:
            continue  # an exclusion can only undo a match, an inclusion only make one
        hit = bool(pattern.regex.match(relpath))
        if not hit:
            hit = any(pattern.regex.match("/".join(parents[: i + 1])) for i in range(len(parents)))
        if hit:
            matched = not pattern.exclusion
    return matched


def ignore_file_for(context_dir: Path, dockerfile: Path | None) -> Path | None:
    """The ignore file BuildKit uses: ``<Dockerfile>.dockerignore`` beside it wins over the context's."""
    # exists-or-symlink, not is_file: an ignore file that is there but unreadable (a directory, a
    # dangling link) must be reported, not silently treated as absent as the engine would fail on it.
    candidates = [Path(str(dockerfile) + ".dockerignore")] if dockerfile is not None else []
    candidates.append(Path(context_dir) / ".dockerignore")
    return next((c for c in candidates if c.exists() or c.is_symlink()), None)


@dataclass(frozen=True)
class ContextFile:
    relpath: str  # POSIX path relative to the context root
    size: int  # bytes on disk (st_size)
    ignored: bool  # left out by the ignore file


@dataclass
class ContextScan:
    """Every file under a context, each marked sent or ignored, with byte totals."""

    root: Path
    ignore_file: Path | None
    patterns: list[IgnorePattern]
    files: list[ContextFile]

    @cached_property
    def sent(self) -> list[ContextFile]:
        return [f for f in self.files if not f.ignored]

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def sent_bytes(self) -> int:
        return sum(f.size for f in self.sent)

    def sent_under(self, prefix: str) -> list[ContextFile]:
        """Sent files at or below ``prefix`` ("" or "." for the whole context)."""
        prefix = posixpath.normpath(prefix).strip("/") if prefix not in ("", ".", "./", "/") else ""
        if not prefix:
            return self.sent
        return [f for f in self.sent if f.relpath == prefix or f.relpath.startswith(prefix + "/")]


def read_ignore_patterns(path: Path) -> list[IgnorePattern]:
    try:
        return parse_ignore(path.read_bytes().decode("utf-8", errors="replace"))
    except OSError as exc:
        raise ContextError(f"{path}: cannot read the ignore file ({exc.strerror})",
                           hint="fix its permissions, or remove it") from exc


def scan_context(context_dir: str | os.PathLike, dockerfile: str | os.PathLike | None = None,
                 exclude: Collection[str] = ()) -> ContextScan:
    """Walk the context once; symlinks are counted as themselves, never followed (as BuildKit sends them).

    ``exclude``: context-relative paths that are not part of this context at all (files dockopt
    placed there for another variant); they are neither sent nor counted.

    Raises:
        ContextError: the context is not a readable directory, or its ignore file is unreadable.
    """
    root = Path(context_dir)
    if not root.is_dir():
        raise ContextError(f"build context {root} is not a directory",
                           hint="pass --context DIR with the directory `docker build` would get")
    ignore = ignore_file_for(root, Path(dockerfile) if dockerfile else None)
    patterns = read_ignore_patterns(ignore) if ignore else []
    files: list[ContextFile] = []
    unreadable: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: unreadable.append(e.filename)):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            rel = rel_dir + name
            if rel in exclude:
                continue
            try:
                size = os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                unreadable.append(rel)
                continue
            files.append(ContextFile(rel, size, is_ignored(rel, patterns)))
    if unreadable:
        sent_unreadable = [u for u in unreadable if not is_ignored(_rel(root, u), patterns)]
        if sent_unreadable:
            raise ContextError(f"build context {root}: cannot read {sent_unreadable[0]}",
                               hint="fix its permissions or exclude it in the .dockerignore",
                               evidence="\n".join(sent_unreadable[:20]))
    return ContextScan(root, ignore, patterns, files)


def _rel(root: Path, path: str) -> str:
    rel = os.path.relpath(path, root) if os.path.isabs(path) else path
    return rel.replace(os.sep, "/")


def context_files(context_dir: str | os.PathLike, dockerfile: str | os.PathLike | None = None) -> list[tuple[str, int]]:
    """The files BuildKit would send for this context and Dockerfile, as (relpath, bytes)."""
    return [(f.relpath, f.size) for f in scan_context(context_dir, dockerfile).sent]
