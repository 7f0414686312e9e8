"""Static checks on a generated Dockerfile, run after every transform, before any build.

Re-parsing with BuildKit's parser catches syntax; the rest catches what parses but cannot
build: a ``COPY --from`` naming no earlier stage, a context COPY of a path that does not exist
or that the generated ignore file hides. A transform whose result fails here is undone.
"""

from __future__ import annotations

import posixpath

from helpers.builds.context import is_ignored, parse_ignore
from helpers.dockerfile.model import DockerfileError, parse_text
from helpers.variants.doc import Doc
from helpers.variants.transform import Project

GLOB = set("*?[")


def problems(doc: Doc, project: Project) -> list[str]:
    found: list[str] = []
    try:
        model = parse_text(doc.render())
    except DockerfileError as exc:
        return [exc.message]
    found += [f"line {p.line}: {p.message}" for p in model.problems]
    ignore_text = doc.dockerignore if doc.dockerignore is not None else (
        project.scan.ignore_file.read_text() if project.scan.ignore_file else "")
    patterns = parse_ignore(ignore_text)
    names: set[str] = set()
    for index, stage in enumerate(doc.stages):
        for step in stage.instructions:
            source_stage = step.copy_from
            if source_stage and not source_stage.isdigit() and source_stage.lower() not in names \
                    and "/" not in source_stage and ":" not in source_stage:
                found.append(f"`{step.text}` copies from a stage not defined before it")
            if step.is_context_copy and step.cmd == "COPY":
                for source in step.sources:
                    found += missing(source, project, patterns, doc)
        names.add((stage.name or str(index)).lower())
    return found


def missing(source: str, project: Project, patterns, doc: Doc) -> list[str]:
    path = posixpath.normpath(source.lstrip("/")).removeprefix("./")
    if path in (".", "") or GLOB & set(path) or path in doc.files:
        return []
    if not project.exists(path):
        return [f"COPY {source}: no such path in the build context"]
    inside = [f for f in project.files if f == path or f.startswith(path + "/")]
    if inside and all(is_ignored(f, patterns) for f in inside):
        return [f"COPY {source}: excluded by the ignore file"]
    return []
