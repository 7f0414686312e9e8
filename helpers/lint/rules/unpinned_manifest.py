"""DO605: the manifests the Dockerfile installs from (pyproject.toml, requirements*.txt) leave versions open."""

from __future__ import annotations

import posixpath

from helpers.lint.queries import env_before, installs_dependencies, pip_calls_at, runs
from helpers.lint.requirements import pinned_names, pyproject_dependencies, requirements_file, unpinned
from helpers.lint.rule import found

CODE = "DO605"
SEVERITY = "warning"
CATEGORY = "best-practice"
TITLE = "Unpinned dependencies in an installed manifest"
WHY = ("`pip install .` or `-r requirements.txt` is only as reproducible as the file it reads: `numpy>=1.26` "
       "resolves to a new release whenever one appears. A constraints file with exact pins fixes that.")
FIX = "Add a constraints.txt with name==version for every dependency and install with -c constraints.txt."


def _read(context, path: str) -> tuple[str, str] | None:
    """The manifest's context path and text: as given, then by name at the context root."""
    for candidate in dict.fromkeys((posixpath.normpath(path).lstrip("/"), posixpath.basename(path))):
        text = context.read_text(candidate)
        if text is not None:
            return candidate, text
    return None


def _manifests(run, call, context) -> list[tuple[str, list[str]]]:
    found_ = []
    for path in call.requirement_files:
        hit = _read(context, path)
        if hit:
            found_.append((hit[0], requirements_file(hit[1])))
    generated_from_pyproject = "pyproject.toml" in run.script and call.requirement_files and not found_
    if generated_from_pyproject or (call.local and not call.no_deps):
        local = call.local[0] if call.local else "."
        local = posixpath.normpath(local).lstrip("/")
        base = "" if local == "." else local + "/"
        hit = _read(context, base + "pyproject.toml") or _read(context, "pyproject.toml")
        if hit:
            found_.append((hit[0], pyproject_dependencies(hit[1])))
    return found_


def check(model, context):
    if context is None or context.context_dir is None:
        return
    for run in runs(model.stages):
        for call, line in ((c, n) for c, n in pip_calls_at(model, run) if installs_dependencies(c)):
            constraint_files = list(call.constraint_files)
            if "PIP_CONSTRAINT" in env_before(model, run):
                constraint_files.append(env_before(model, run)["PIP_CONSTRAINT"][0])
            constrained: set[str] = set()
            for path in constraint_files:
                hit = _read(context, path)
                if hit is None:
                    constrained = None  # cannot see it: trust that it pins
                    break
                constrained |= pinned_names(requirements_file(hit[1]))
            if constrained is None:
                continue
            for manifest, requirements in _manifests(run, call, context):
                loose = unpinned(requirements, constrained)
                if loose:
                    yield found(__name__, model, line, f"{manifest} leaves {', '.join(loose)} unpinned")
