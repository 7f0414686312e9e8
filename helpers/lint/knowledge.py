"""Shared facts the rules consult: what counts as a build tool, a manifest, model data, context junk.

Kept in one place so a rule and its test agree, and so a user reading RULES.md can find the
exact lists a rule matched against.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re

# Packages that compile or fetch source: needed to build wheels, never to run them.
BUILD_TOOL_PACKAGES = frozenset({
    "build-essential", "gcc", "g++", "clang", "make", "cmake", "ninja-build", "autoconf", "automake",
    "libtool", "pkg-config", "pkgconf", "gfortran", "cargo", "rustc", "golang", "git", "build-base",
    "musl-dev", "linux-headers", "python3-dev", "python-dev",
})
BUILD_TOOL_SUFFIXES = ("-dev", "-devel")


# Build tools that alone do not make a build stage: git fetches sources (and some apps run it at
# run time); a stage is a build-tools stage only when it installs a compiler, headers or the like.
NOT_ALONE = frozenset({"git"})


def makes_build_stage(tools: list[str]) -> bool:
    """Whether these build tools (see :func:`is_build_tool`) make a stage one that compiles."""
    return any(re.split(r"[=:<>]", t, maxsplit=1)[0].lower() not in NOT_ALONE for t in tools)


def is_build_tool(package: str) -> bool:
    name = re.split(r"[=:<>]", package, maxsplit=1)[0].lower()
    name = re.sub(r"-[0-9.]+$", "", name)  # gcc-12, g++-12
    return name in BUILD_TOOL_PACKAGES or name.endswith(BUILD_TOOL_SUFFIXES) or name.startswith(("gcc-", "g++-"))


# Files whose content decides which dependencies get installed (plus what a build backend
# reads alongside them). Copying only these before an install keeps that layer cached.
MANIFEST_PATTERNS = (
    "pyproject.toml", "setup.py", "setup.cfg", "requirements*.txt", "requirements*.in", "constraints*.txt",
    "poetry.lock", "uv.lock", "Pipfile", "Pipfile.lock", "pdm.lock", "environment.yml", "README*",
    "LICENSE*", "MANIFEST.in", "package.json", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
    "go.mod", "go.sum", "Cargo.toml", "Cargo.lock", "Gemfile", "Gemfile.lock", "composer.json",
    "composer.lock", "*.lock",
)


MANIFEST = re.compile("|".join(fnmatch.translate(p) for p in MANIFEST_PATTERNS))


MANIFEST_NAMES = tuple(p for p in MANIFEST_PATTERNS if not any(ch in p for ch in "*?["))


def is_manifest(source: str) -> bool:
    """A manifest by name; a pattern (``package*.json``, ``go.*``, ``Gemfile*``) when it names manifests:
    it starts with a manifest's name and every file it matches among the known ones is one."""
    name = posixpath.basename(posixpath.normpath(source))
    if MANIFEST.match(name) is not None:
        return True
    cut = next((n for n, ch in enumerate(name) if ch in "*?["), None)
    return cut is not None and cut > 0 and any(
        m.startswith(name[:cut]) and fnmatch.fnmatchcase(m, name) for m in MANIFEST_NAMES)


# Weights and data that belong in a volume or an artifact store, not an image layer.
MODEL_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".hdf5", ".pb",
                  ".gguf", ".ggml", ".tflite", ".pkl", ".pickle", ".joblib", ".npy", ".npz",
                  ".parquet", ".arrow", ".feather", ".tfrecord", ".msgpack")

# Context content that no image needs; a .dockerignore should drop it.
JUNK_DIRS = {".git": "VCS history", ".hg": "VCS history", ".svn": "VCS history",
             "tests": "tests", "test": "tests", "docs": "docs", "doc": "docs",
             "outputs": "outputs", "output": "outputs", "archive": "archives", "__pycache__": "bytecode",
             ".venv": "virtualenv", "venv": "virtualenv", "node_modules": "node_modules",
             ".pytest_cache": "caches", ".mypy_cache": "caches", ".ipynb_checkpoints": "caches",
             ".tox": "caches", "build": "build output", "dist": "build output"}
JUNK_SUFFIXES = {".pyc": "bytecode", ".tar": "archives", ".tar.gz": "archives", ".tgz": "archives",
                 ".zip": "archives", ".7z": "archives", ".log": "logs"}


def junk_kind(relpath: str, size: int, large_bytes: int) -> str | None:
    """Why this sent file should not be in the context, or None if it may belong."""
    parts = relpath.split("/")
    for part in parts[:-1]:
        kind = JUNK_DIRS.get(part.lower())
        if kind:
            return kind
    lower = relpath.lower()
    for suffix, kind in JUNK_SUFFIXES.items():
        if lower.endswith(suffix):
            return kind
    if size >= large_bytes:
        return "large files"
    return None


def human_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(size) < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
