"""Which Dockerfiles ``dockopt lint PATH...`` lints, and with which build context each.

A directory is searched for ``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``, ``Containerfile``
(and ``Containerfile.*``, ``*.Containerfile``), never ``*.dockerignore``. What ``.gitignore``
leaves out is skipped, by git's own answer: ``git ls-files --cached --others --exclude-standard``
inside a repository, and outside one (or in a folder named on the command line that its repository
ignores) the same command with a throwaway git directory pointed at the folder (the folder itself
is never written to). Without git, every file is considered.

Each file's build context is its own folder, as ``docker build -f F DIR_OF_F`` would get, unless
a ``.dockopt.toml`` in its folder or a parent folder (up to the repository root) maps it::

    [lint]
    exclude = ["tests/fixtures/broken"]        # not linted when found in a directory

    [[lint.files]]
    dockerfile = "dockerfiles/reference/Dockerfile.*"   # path or pattern, from this file's folder
    context = "dockerfiles/snsw"                        # the context `docker build` gets

Patterns follow .dockerignore syntax (``*``, ``**``, a directory covers what is below it). The
ignore file then follows from the context as BuildKit picks it (``<Dockerfile>.dockerignore``
beside the Dockerfile, else the context's ``.dockerignore``; see ``helpers.builds.context``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import tomllib

from helpers.builds.context import ignore_file_for, is_ignored, parse_ignore
from helpers.lint.config import ConfigError

# Dockerfile, Dockerfile.*, *.Dockerfile (any case after the dot: dev.dockerfile), the same for
# Containerfile; a lower-case "dockerfile" only as the whole name (not helpers/dockerfile/model.py).
NAME = re.compile(r"^(?:[Dd]ockerfile|[Cc]ontainerfile|(?:Dockerfile|Containerfile)\..+|.+\.(?i:dockerfile|containerfile))$")
MAPPING_FILE = ".dockopt.toml"


class DiscoveryError(ConfigError):
    """A path given to lint does not exist, or a .dockopt.toml mapping is wrong."""


def is_dockerfile_name(name: str) -> bool:
    return bool(NAME.match(name)) and not name.lower().endswith(".dockerignore")


@dataclass(frozen=True)
class Target:
    """One Dockerfile to lint and the context ``docker build`` would get for it."""

    dockerfile: Path
    context: Path
    mapped_by: Path | None = None  # the .dockopt.toml entry that chose the context, if any

    @property
    def ignore_file(self) -> Path | None:
        return ignore_file_for(self.context, self.dockerfile)


@dataclass
class Discovery:
    targets: list[Target]
    gitignore: str  # how .gitignore was honoured: "git", "git (outside a repository)" or "not honoured: ..."
    excluded: list[Path] = field(default_factory=list)  # found, but excluded by a .dockopt.toml


def _git_files(directory: Path) -> tuple[list[str] | None, str]:
    """Files under ``directory`` (relative paths) that .gitignore keeps; None when git cannot answer."""
    git = shutil.which("git")
    if git is None:
        return None, "not honoured: git not found"
    args = ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    proc = subprocess.run([git, "-C", str(directory), *args], capture_output=True, check=False)
    if proc.returncode == 0:
        files = _split_z(proc.stdout)
        named_but_ignored = not files and subprocess.run(
            [git, "-C", str(directory), "check-ignore", "-q", "."], capture_output=True, check=False).returncode == 0
        if not named_but_ignored:  # a folder the user names is searched even if its repository ignores it
            return files, "git"
    scratch = _scratch_repository(git)
    # Not a repository: git still applies the folder's .gitignore files to a work tree it is pointed
    # at, with an empty repository of dockopt's own, and writes nothing into that folder.
    proc = subprocess.run([git, f"--git-dir={scratch}", f"--work-tree={os.path.abspath(directory)}", *args],
                          capture_output=True, cwd=directory, check=False) if scratch else None
    if proc is None or proc.returncode != 0:
        why = proc.stderr.decode(errors="replace").strip()[:200] if proc else "no scratch repository"
        return None, f"not honoured: git ls-files failed ({why})"
    return _split_z(proc.stdout), "git (outside a repository)"


def _scratch_repository(git: str) -> str | None:
    """An empty bare repository in dockopt's cache folder, made once and reused (git only reads it)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dockopt" / "empty.git"
    if not (cache / "HEAD").is_file():
        cache.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="empty-", dir=cache.parent) as fresh:
            made = subprocess.run([git, "init", "-q", "--bare", "--template=", fresh], capture_output=True, check=False)
            if made.returncode != 0:
                return None
            try:
                os.rename(fresh, cache)  # atomic: a concurrent lint sees a whole repository or none
            except OSError:
                pass  # another process made it first
            os.makedirs(fresh, exist_ok=True)  # for TemporaryDirectory's cleanup
    return str(cache) if (cache / "HEAD").is_file() else None


def _split_z(output: bytes) -> list[str]:
    return list(dict.fromkeys(p for p in output.decode("utf-8", errors="surrogateescape").split("\0") if p))


def _walk(directory: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        rel = os.path.relpath(dirpath, directory)
        found += [name if rel == "." else f"{rel}/{name}" for name in filenames]
    return found


def find_dockerfiles(directory: Path) -> tuple[list[Path], str]:
    """Dockerfiles under ``directory`` that .gitignore keeps, sorted; and how .gitignore was honoured."""
    files, how = _git_files(directory)
    if files is None:
        files = _walk(directory)
    chosen = [directory / rel for rel in files if is_dockerfile_name(rel.rsplit("/", 1)[-1])]
    return sorted(p for p in chosen if p.is_file()), how


@dataclass(frozen=True)
class _Mapping:
    source: Path  # the .dockopt.toml
    exclude: tuple
    files: tuple  # (patterns, context Path) in file order


@lru_cache(maxsize=256)
def _mapping(directory: Path) -> _Mapping | None:
    path = directory / MAPPING_FILE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DiscoveryError(f"{path}: cannot read it as TOML ({exc})", hint="fix the file or remove it") from exc
    lint = data.get("lint", {}) if isinstance(data, dict) else {}
    exclude = lint.get("exclude", [])
    entries = lint.get("files", [])
    if not isinstance(exclude, list) or not isinstance(entries, list):
        raise DiscoveryError(f"{path}: [lint] exclude must be a list of patterns and [[lint.files]] a table array")
    files = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("dockerfile") or not entry.get("context"):
            raise DiscoveryError(f"{path}: [[lint.files]] entry {number} needs both `dockerfile` and `context`",
                                 hint='e.g. dockerfile = "docker/*.Dockerfile"  context = "."')
        unknown = set(entry) - {"dockerfile", "context"}
        if unknown:
            raise DiscoveryError(f"{path}: [[lint.files]] entry {number}: unknown key(s) {', '.join(sorted(unknown))}",
                                 hint="an entry has `dockerfile` and `context`")
        context = (directory / str(entry["context"])).resolve()
        if not context.is_dir():
            raise DiscoveryError(f"{path}: [[lint.files]] entry {number}: context {entry['context']} "
                                 f"is not a directory (looked at {context})")
        files.append((tuple(parse_ignore(str(entry["dockerfile"]))), context))
    return _Mapping(path, tuple(parse_ignore("\n".join(map(str, exclude)))), tuple(files))


def _mappings_for(dockerfile: Path) -> list[tuple[Path, _Mapping]]:
    """Nearest first: the Dockerfile's folder and its parents, up to the repository root."""
    return _chain(os.path.dirname(os.path.abspath(dockerfile)))


@lru_cache(maxsize=1024)
def _chain(directory: str) -> list[tuple[Path, _Mapping]]:
    mapping = _mapping(Path(directory))
    here = [(Path(directory), mapping)] if mapping is not None else []
    parent = os.path.dirname(directory)
    if parent == directory or os.path.exists(os.path.join(directory, ".git")):
        return here
    return here + _chain(parent)


def _relative(dockerfile: Path, directory: Path) -> str:
    return Path(os.path.abspath(dockerfile)).relative_to(directory).as_posix()


def context_for(dockerfile: Path) -> Target:
    """The context a .dockopt.toml maps this Dockerfile to, else its own folder."""
    for directory, mapping in _mappings_for(dockerfile):
        rel = _relative(dockerfile, directory)
        for patterns, context in mapping.files:
            if is_ignored(rel, list(patterns)):
                return Target(dockerfile, _display(context), mapping.source)
    return Target(dockerfile, dockerfile.parent)


def _display(path: Path) -> Path:
    """A path relative to the working directory when it is under it, as users typed the others."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _excluded(dockerfile: Path) -> bool:
    for directory, mapping in _mappings_for(dockerfile):
        if mapping.exclude and is_ignored(_relative(dockerfile, directory), list(mapping.exclude)):
            return True
    return False


def discover(paths: list[str | os.PathLike]) -> Discovery:
    """Targets for the paths given: files as named (always linted), directories searched.

    Raises:
        DiscoveryError: a path does not exist, or a .dockopt.toml is invalid.
    """
    _mapping.cache_clear()  # a long-lived process (a notebook, tests) may have edited them since
    _chain.cache_clear()
    targets: dict[Path, Target] = {}
    excluded: list[Path] = []
    how = "no directory searched"
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            targets.setdefault(Path(os.path.abspath(path)), context_for(path))
        elif path.is_dir():
            found, how = find_dockerfiles(path)
            for dockerfile in found:
                if _excluded(dockerfile):
                    excluded.append(dockerfile)
                else:
                    targets.setdefault(Path(os.path.abspath(dockerfile)), context_for(dockerfile))
        else:
            raise DiscoveryError(f"{path}: no such file or directory", hint="pass Dockerfiles or folders holding them")
    return Discovery(list(targets.values()), how, excluded)
