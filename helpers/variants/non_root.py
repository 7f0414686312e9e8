"""Run the final image as an unprivileged user that owns only what the app must write.

What the app writes is learnt, not guessed: the caller starts the ORIGINAL image with its own
ENTRYPOINT/CMD for a settle time and hands over what ``docker diff`` showed
(``project.extra["start_writes"]``, with ``start_evidence`` saying how it was learnt). Every
directory the app wrote into is created and owned by the new user, and files it changed that the
build itself puts there (a SQLite database copied with the source) are owned too. Without that
evidence (not built, or the original did not start here) the final WORKDIR is owned instead, and
the outcome says so. The image's VOLUMEs and the directories its final stage creates with
``mkdir`` are always owned. Everything else (the app, the virtualenv) stays root-owned, so the app
cannot rewrite its own code. uid 1000 matches the usual first user on a host, which keeps
bind-mounted output readable.
"""

from __future__ import annotations

import posixpath
import re

from helpers.builds.context import is_ignored, parse_ignore
from helpers.dockerfile.model import Stage
from helpers.lint.shell import program, simple_commands
from helpers.variants.doc import Doc, Step
from helpers.variants.transform import Project, Skip

NAME = "non_root"
FIXES = ("DO301",)
USER, UID = "appuser", 1000
TRAILING = {"CMD", "ENTRYPOINT", "HEALTHCHECK", "EXPOSE", "STOPSIGNAL", "LABEL"}
# Written by the original only because it ran as root: bytecode caches (Python ignores a failed
# write) and root's home (the new user gets a home of its own, which it owns).
ROOT_ONLY = ("/root",)


def declared_paths(doc: Doc, project: Project) -> list[str]:
    """VOLUMEs, directories the final stage mkdirs, and any the caller names: writable by design."""
    paths: list[str] = list(project.extra.get("writable", []))
    final = doc.final
    for i, step in enumerate(final.instructions):
        if step.cmd == "VOLUME":
            paths += [v.strip("[]\",") for v in step.value]
        if step.cmd == "RUN":
            for argv in simple_commands(step.script):
                if program(argv) == "mkdir":
                    workdir = final.workdir_at(i)
                    paths += [a if a.startswith("/") else f"{workdir.rstrip('/')}/{a}" for a in argv[1:]
                              if not a.startswith("-")]
    return list(dict.fromkeys(p for p in paths if p))


def noise(path: str) -> bool:
    parts = path.split("/")
    return "__pycache__" in parts or path.endswith((".pyc", ".pyo")) or \
        any(path == r or path.startswith(r + "/") for r in ROOT_ONLY)


RUN_ENV = re.compile(r"(?<!\S)(-e|--env)\s+(?:'([A-Za-z_]\w*)=[^']*'|([A-Za-z_]\w*)=\S*)")


def redact(evidence: str) -> str:
    """The evidence line without ``-e KEY=VALUE`` values: it is written into a file the user takes home,
    and a --run-env value may be a secret."""
    return RUN_ENV.sub(lambda m: f"{m.group(1)} {m.group(2) or m.group(3)}=...", evidence)


def under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def written_dirs(writes: list[str]) -> tuple[list[str], list[str]]:
    """(directories to own, paths beneath them) from docker diff's added/changed paths.

    diff lists every ancestor of a changed file as changed too, so only the deepest paths (no
    other path below them) were really written; each one's directory must be writable. Nested
    directories collapse into the outermost one: the user that owns it creates what is below.
    What is below but was already in the image (a log folder or database the COPY brings) is
    root-owned, so those paths are returned for the caller to own as well.
    """
    every = sorted({posixpath.normpath(p) for p in writes if p.startswith("/")})
    # leaves are found before dropping noise: /app listed only as the parent of /app/__pycache__ is no write
    leaves = [p for p in every if not any(q.startswith(p.rstrip("/") + "/") for q in every) and not noise(p)]
    paths = [p for p in every if not noise(p)]
    dirs = sorted({posixpath.dirname(p) for p in leaves})
    outer = [d for d in dirs if d != "/" and not any(o != d and under(d, o) for o in dirs if o != "/")]
    beneath = [p for p in paths if any(under(p, d) and p != d for d in outer)]
    return outer, beneath


def copied_here(stage: Stage, path: str, project: Project, patterns) -> bool:
    """Whether a context COPY of the final stage puts ``path`` in the image (so it is root-owned)."""
    for i, step in enumerate(stage.instructions):
        if not step.is_context_copy or any(f.startswith("--chown") for f in step.flags):
            continue
        dest = posixpath.normpath(posixpath.join(stage.workdir_at(i), step.dest))
        for source in step.sources:
            source = posixpath.normpath(source).removeprefix("./")
            if source == "." or (project.context_dir / source).is_dir():  # its contents land in dest
                if under(path, dest) and path != dest:
                    rel = posixpath.relpath(path, dest)
                    rel = rel if source == "." else f"{source}/{rel}"
                    if any((f == rel or f.startswith(rel + "/")) and not is_ignored(f, patterns)
                           for f in project.files):
                        return True
            elif project.exists(source) and not is_ignored(source, patterns):
                into_dir = step.dest.endswith("/") or len(step.sources) > 1
                if path == (posixpath.join(dest, posixpath.basename(source)) if into_dir else dest):
                    return True
    return False


def evidence(doc: Doc, project: Project) -> tuple[list[str], list[str], str]:
    """(directories to own, existing files to own, where that came from) for the final stage."""
    final = doc.final
    workdir = final.workdir_at(len(final.instructions))
    writes = project.extra.get("start_writes")
    said = redact(project.extra["start_evidence"]) if project.extra.get("start_evidence") else None
    if writes is None:
        why = ("the original image was not started" if "start_writes" not in project.extra
               else said or "the original image did not start here")
        if workdir == "/":
            return [], [], f"no evidence of what the app writes ({why}) and WORKDIR is /: owns no directory"
        return [workdir], [], f"no evidence of what the app writes ({why}): owns the final WORKDIR {workdir} instead"
    dirs, beneath = written_dirs(writes)
    ignore = doc.dockerignore if doc.dockerignore is not None else (
        project.scan.ignore_file.read_text() if project.scan.ignore_file else "")
    patterns = parse_ignore(ignore)
    existing = [p for p in beneath if copied_here(final, p, project, patterns)]
    said = said or "docker diff of the original image started with its own ENTRYPOINT/CMD"
    if not dirs:
        return [], [], (f"the original wrote nothing at start-up the new user must own (at most temporary files, "
                            f"bytecode caches, root's home) ({said})")
    return dirs, existing, f"the original wrote into {', '.join(dirs)} at start-up ({said})"


def apply(doc: Doc, project: Project) -> str:
    final = doc.final
    users = [s.value[0].split(":")[0] for s in final.instructions if s.cmd == "USER"]
    if users and users[-1] not in ("root", "0"):
        raise Skip(f"already runs as {users[-1]}")
    add_user = (f"adduser -D -u {UID} {USER}" if "alpine" in doc.resolve(final.base_raw)
                else f"useradd --create-home --uid {UID} {USER}")
    final.instructions.insert(0, Step.run([add_user]))
    learnt, files, source = evidence(doc, project)
    declared = declared_paths(doc, project)
    writable = list(dict.fromkeys(declared + [d for d in learnt if not any(under(d, p) for p in declared)]))
    end = len(final.instructions)
    while end > 0 and final.instructions[end - 1].cmd in TRAILING:
        end -= 1
    tail = []
    if writable:
        commands = [f"mkdir -p {' '.join(writable)}", f"chown {USER}:{USER} {' '.join(writable)}"]
        # Guarded: a file the ignore file or a later edit leaves out must not fail the build.
        commands += [f"{{ [ ! -e {f} ] || chown {USER}:{USER} {f}; }}" for f in files]
        step = Step.run(commands)
        step.comment = [f"Writable by {USER}: " + "; ".join(
            ([f"declared {', '.join(declared)} (VOLUME / mkdir)"] if declared else []) + [source])]
        tail.append(step)
    final.instructions[end:end] = tail + [Step.parse(f"USER {USER}")]
    owned = f"; owns {', '.join(writable + files)}" if writable else "; owns nothing"
    return f"runs as {USER} (uid {UID}){owned}; {source}"
