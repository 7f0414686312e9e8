"""DO201: source code copied before a dependency install, so every code edit reinstalls everything."""

from __future__ import annotations

from helpers.lint.knowledge import is_manifest
from helpers.lint.queries import installs_dependencies, pip_calls
from helpers.lint.rule import found
from helpers.lint.shell import package_managers

CODE = "DO201"
SEVERITY = "warning"
CATEGORY = "layer-caching"
TITLE = "Source copied before dependencies are installed"
WHY = ("BuildKit reuses a layer only while every layer before it is unchanged. A COPY of source before the "
       "dependency install makes any code edit re-run the install (minutes) instead of the last COPY (seconds).")
FIX = "COPY only the manifests (pyproject.toml, requirements*.txt, lock files), install, then COPY the source."
DEPENDENCY_MANAGERS = {"npm", "poetry", "uv", "go", "cargo"}


def _installs(run) -> bool:
    if any(installs_dependencies(call) for call in pip_calls(run)):
        return True
    return bool(DEPENDENCY_MANAGERS & set(package_managers(run.script)))


def check(model, context):
    for stage in model.stages:
        source_copy = None
        reported = set()
        for item in stage.instructions:
            if item.is_context_copy and not all(is_manifest(s) for s in item.copy_sources):
                source_copy = item
            elif item.cmd == "RUN" and source_copy and source_copy.start_line not in reported and _installs(item):
                reported.add(source_copy.start_line)
                sources = " ".join(source_copy.copy_sources)
                yield found(__name__, model, source_copy.start_line,
                            f"COPY {sources} comes before the install at line {item.start_line}, "
                            "so a source edit re-runs it")
