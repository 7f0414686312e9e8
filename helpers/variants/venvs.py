"""Which virtualenv the final stage runs with, wherever it lives (/opt/venv, /venv, /app/.venv).

Read from the Dockerfile alone, in the order that decides what the app's ``python`` is:
``ENV VIRTUAL_ENV``, then a ``<dir>/bin`` on ``ENV PATH`` that is a virtualenv (created by
``python -m venv`` / ``virtualenv`` / ``uv venv`` / ``uv sync`` in some stage, copied from
another stage, or named like one), then a directory copied from another stage where that stage
created a virtualenv. Stages built FROM an earlier stage inherit its environment.
"""

from __future__ import annotations

import posixpath
import re

from helpers.dockerfile.model import Stage
from helpers.lint.shell import program, simple_commands
from helpers.variants.doc import Doc

VENV_NAMES = {"venv", ".venv", "virtualenv", "env", ".env"}


def lineage(doc: Doc, stage: Stage) -> list[Stage]:
    """``stage`` and the stages it is built FROM, outermost first."""
    chain = [stage]
    while True:
        parent = doc.stage_named(doc.resolve(chain[0].base_raw))
        if parent is None or parent in chain:
            return chain
        chain.insert(0, parent)


def created(stage: Stage) -> list[str]:
    """Virtualenvs a stage's RUNs create (absolute paths)."""
    return list(creators(stage))


def creators(stage: Stage) -> dict[str, str]:
    """Virtualenvs a stage's RUNs create (absolute paths), each with the program that made it."""
    found = {}
    for i, step in enumerate(stage.instructions):
        if step.cmd != "RUN":
            continue
        workdir = stage.workdir_at(i)
        env = dict(p for s in stage.instructions[:i] for p in s.env_pairs())
        for argv in simple_commands(step.script):
            exe, args = program(argv), argv[1:]
            target = None
            if re.fullmatch(r"python[0-9.]*", exe) and args[:2] == ["-m", "venv"] or exe == "virtualenv":
                target = next((a for a in args[2 if exe != "virtualenv" else 0:] if not a.startswith("-")), None)
            elif exe == "uv" and args[:1] == ["venv"]:
                target = next((a for a in args[1:] if not a.startswith("-")), ".venv")
            elif exe == "uv" and args[:1] == ["sync"]:
                target = env.get("UV_PROJECT_ENVIRONMENT", ".venv")
            if target:
                found[posixpath.normpath(posixpath.join(workdir, target))] = exe
    return found


def made_by(doc: Doc, venv: str) -> str | None:
    """The program that created the virtualenv the final stage copies to ``venv`` (``python``,
    ``python3.11``, ``uv``...), or None when unknown. A venv's ``bin/python`` links to that program's
    path, so a runtime base without it cannot run the venv."""
    for stage in lineage(doc, doc.final):
        for i, step in enumerate(stage.instructions):
            source_stage = doc.stage_named(step.copy_from) if step.copy_from else None
            if source_stage is None or len(step.sources) != 1:
                continue
            if posixpath.normpath(posixpath.join(stage.workdir_at(i), step.dest)) != venv:
                continue
            source = posixpath.normpath(step.sources[0])
            for parent in lineage(doc, source_stage):
                if source in creators(parent):
                    return creators(parent)[source]
    return None


def looks_like(path: str, doc: Doc) -> bool:
    return posixpath.basename(path.rstrip("/")) in VENV_NAMES or any(path in created(s) for s in doc.stages)


def copied_venvs(doc: Doc, stage: Stage) -> list[str]:
    """Destinations of ``COPY --from=<stage> <venv> <dest>`` where the source is a virtualenv there."""
    found = []
    for i, step in enumerate(stage.instructions):
        source_stage = doc.stage_named(step.copy_from) if step.copy_from else None
        if source_stage is None or len(step.sources) != 1:
            continue
        source = posixpath.normpath(step.sources[0])
        made = [v for s in lineage(doc, source_stage) for v in created(s)]
        if source in made or posixpath.basename(source) in VENV_NAMES:
            found.append(posixpath.normpath(posixpath.join(stage.workdir_at(i), step.dest)))
    return found


def runtime_venv(doc: Doc) -> str | None:
    """The virtualenv the final stage's ``python`` comes from, or None (the base's own interpreter)."""
    chain = lineage(doc, doc.final)
    env: dict[str, str] = {}
    for stage in chain:
        for step in stage.instructions:
            env.update(step.env_pairs())
    if env.get("VIRTUAL_ENV"):
        return env["VIRTUAL_ENV"].strip("\"'").rstrip("/")
    copied = [v for s in chain for v in copied_venvs(doc, s)]
    for entry in env.get("PATH", "").strip("\"'").split(":"):
        if entry.rstrip("/").endswith("/bin"):
            root = posixpath.dirname(entry.rstrip("/"))
            if root in copied or looks_like(root, doc):
                return root
    return copied[0] if copied else None


def interpreter(doc: Doc) -> str:
    """The python the app runs with: the virtualenv's when there is one, else ``python`` on PATH."""
    venv = runtime_venv(doc)
    return f"{venv}/bin/python" if venv else "python"
