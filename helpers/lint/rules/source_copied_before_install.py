"""DO201: source code copied before a dependency install, so every code edit reinstalls everything."""

from __future__ import annotations

import posixpath

from helpers.lint.knowledge import is_manifest
from helpers.lint.queries import command_lines
from helpers.lint.rule import found
from helpers.lint.shell import dependency_install, program

CODE = "DO201"
SEVERITY = "warning"
CATEGORY = "layer-caching"
TITLE = "Source copied before dependencies are installed"
WHY = ("BuildKit reuses a layer only while every layer before it is unchanged. A COPY of source before the "
       "dependency install makes any code edit re-run the install (minutes) instead of the last COPY (seconds).")
FIX = "COPY only the manifests (pyproject.toml, requirements*.txt, lock files), install, then COPY the source."
# What `make install` reads besides the manifests: copying it early is part of the right order.
BUILD_FILES = {"Makefile", "GNUmakefile", "makefile"}
MAKE = {"make", "gmake"}


def _is_manifest(source: str) -> bool:
    return is_manifest(source) or posixpath.basename(posixpath.normpath(source)) in BUILD_FILES


def _install(model, run, deps_installed: bool) -> int | None:
    """The line of the first command that fetches dependencies. Installing the project itself
    (pip install ., uv sync, poetry install, go build) fetches nothing new once an earlier layer
    installed the dependencies (uv sync --no-install-project, poetry install --no-root, -r ...)."""
    built = False  # `make && make install`: compiling and installing the project, not its dependencies
    for argv, line in command_lines(model, run):
        kind = dependency_install(argv)
        if kind == "deps" and program(argv) in MAKE and built:
            kind = None
        built = built or (program(argv) in MAKE and "install" not in argv)
        if kind == "deps" or (kind == "project" and not deps_installed):
            return line
    return None


def check(model, context):
    for stage in model.stages:
        source_copy = None
        deps_installed = False  # by a layer before the source COPY
        for item in stage.instructions:
            if item.is_context_copy and not all(_is_manifest(s) for s in item.copy_sources):
                source_copy = source_copy or item
            elif item.cmd == "RUN" and source_copy is None:
                deps_installed = deps_installed or any(dependency_install(a) for a, _ in command_lines(model, item))
            elif item.cmd == "RUN":
                line = _install(model, item, deps_installed)
                if line is not None:
                    sources = " ".join(source_copy.copy_sources)
                    yield found(__name__, model, source_copy.start_line,
                                f"COPY {sources} comes before the install at line {line}, so a source edit re-runs it")
                    break  # one finding per stage: the first source COPY is where the order goes wrong
