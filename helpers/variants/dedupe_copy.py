"""Remove duplicate COPYs: files copied twice into one stage, or source the runtime already has.

Two cases. Within a stage, a COPY whose files a later ``COPY . <same place>`` copies again,
with nothing in between that reads them, only adds a layer. In a runtime stage that receives
the installed package from the builder, ``COPY . .`` would copy the package source (and the
manifests that built it) a second time: it becomes explicit COPYs of everything else the
context sends, read from the generated ignore file, so nothing the app needs is left out.
"""

from __future__ import annotations

import posixpath

from helpers.builds.context import is_ignored, parse_ignore
from helpers.dockerfile.model import Stage
from helpers.lint.knowledge import is_manifest
from helpers.variants.doc import Doc, Step
from helpers.variants.python_installs import PKG
from helpers.variants.transform import Project, Skip

NAME = "dedupe_copy"
FIXES = ("DO202",)
HARMLESS_BETWEEN = {"COPY", "ENV", "LABEL", "EXPOSE", "ARG"}


def covers(later: Step, earlier: Step, stage: Stage) -> bool:
    if later.sources not in (["."], ["./"]) or earlier.flags != later.flags:
        return False
    i, j = stage.index_of(earlier), stage.index_of(later)
    if any(s.cmd not in HARMLESS_BETWEEN for s in stage.instructions[i + 1:j]):
        return False
    root = posixpath.normpath(posixpath.join(stage.workdir_at(j), later.dest))
    for source in earlier.sources:
        dest = earlier.dest if earlier.dest.endswith("/") or len(earlier.sources) > 1 else posixpath.dirname(earlier.dest)
        place = posixpath.normpath(posixpath.join(stage.workdir_at(i), dest))
        expected = posixpath.normpath(posixpath.join(root, posixpath.dirname(posixpath.normpath(source))))
        if place != expected and posixpath.normpath(posixpath.join(stage.workdir_at(i), earlier.dest)) != \
                posixpath.normpath(posixpath.join(root, source)):
            return False
    return True


def drop_overlaps(stage: Stage) -> int:
    dropped = 0
    for later in [s for s in stage.instructions if s.is_context_copy and s.sources in (["."], ["./"])]:
        for earlier in [s for s in stage.instructions[: stage.index_of(later)] if s.is_context_copy and s is not later]:
            if covers(later, earlier, stage):
                stage.instructions.remove(earlier)
                dropped += 1
    return dropped


def package_dirs(doc: Doc, project: Project) -> list[str]:
    """Context paths the builder installed into /opt/pkg (the import packages, when it copied everything)."""
    builder = doc.stages[0]
    found = []
    for i, step in enumerate(builder.instructions):
        if not (step.is_context_copy and len(step.sources) == 1 and not is_manifest(step.sources[0])
                and any(f"--target {PKG}" in r.script for r in builder.instructions[i + 1:] if r.cmd == "RUN")):
            continue
        source = posixpath.normpath(step.sources[0])
        if source != ".":
            found.append(source)
            continue
        find = (project.pyproject.get("tool", {}).get("setuptools") or {}).get("packages", {})
        roots = find.get("find", {}).get("where", ["."]) if isinstance(find, dict) else ["."]
        for root in roots:
            root = posixpath.normpath(root)
            prefix = "" if root == "." else root + "/"
            found += sorted({prefix + f[len(prefix):].split("/", 1)[0] for f in project.files
                             if f.startswith(prefix) and f.endswith("/__init__.py")
                             and f[len(prefix):].count("/") == 1})
    return found


def explicit_copies(doc: Doc, project: Project, skip_dirs: list[str], dest_root: str) -> list[Step]:
    patterns = parse_ignore(doc.dockerignore or "")
    sent = [f for f in project.files if not is_ignored(f, patterns)]
    wanted: list[str] = []
    for path in sent:
        if is_manifest(path) and "/" not in path or any(path == d or path.startswith(d + "/") for d in skip_dirs):
            continue
        parts = path.split("/")
        depth = next((n for n in range(1, len(parts)) if not any(d.startswith("/".join(parts[:n]) + "/")
                                                                 for d in skip_dirs)), len(parts))
        entry = "/".join(parts[:depth])
        if entry not in wanted:
            wanted.append(entry)
    files = [e for e in wanted if (project.context_dir / e).is_file() and "/" not in e]
    dirs = [e for e in wanted if e not in files]
    steps = [Step.parse(f"COPY {' '.join(files)} {dest_root}")] if files else []
    return steps + [Step.parse(f"COPY {d} {dest_root.rstrip('/')}/{d}") for d in dirs]


def apply(doc: Doc, project: Project) -> str:
    dropped = sum(drop_overlaps(stage) for stage in doc.stages)
    narrowed = ""
    packages = package_dirs(doc, project) if len(doc.stages) > 1 else []
    if packages:
        final = doc.final
        whole = [s for s in final.instructions
                 if s.is_context_copy and s.sources in (["."], ["./"]) and s.dest in (".", "./")]
        if whole:
            at = final.index_of(whole[0])
            final.instructions[at:at + 1] = explicit_copies(doc, project, packages, "./")
            narrowed = f"runtime copies the app without {', '.join(packages)} and the manifests (the builder installed them)"
    if not dropped and not narrowed:
        raise Skip("no COPY duplicates another")
    return "; ".join(filter(None, [f"{dropped} COPY covered by a later COPY . removed" if dropped else "", narrowed]))
