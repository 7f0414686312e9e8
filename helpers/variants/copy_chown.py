"""Own copied files while copying: ``COPY --chown`` instead of a later ``RUN chown -R`` (lint DO505).

A layer stores every file whose owner changes as a whole new copy, so ``COPY . /app`` followed by
``RUN chown -R app /app`` ships the app twice. Setting the owner in the COPY stores it once. The
recursive chown becomes a plain ``chown`` of the directory itself: a directory that existed before
the COPY (a WORKDIR) keeps its owner otherwise, which BuildKit only sets on directories it creates.

Applied only where the result is the same: every COPY/ADD that puts files under the directory gets
``--chown``, and nothing else can have written there (no RUN working in or naming it, no WORKDIR
or VOLUME below it, no COPY into a parent of it). A named owner must exist when the COPY runs: user
creation found after the COPY (``COPY . /app`` then ``RUN useradd app && chown -R app /app``) moves
before it; an owner created nowhere in the Dockerfile is left alone.
"""

from __future__ import annotations

import posixpath
import re

from helpers.dockerfile.model import Stage
from helpers.lint.shell import pip_install, program, recursive_chown, simple_commands
from helpers.variants.doc import Doc, Step
from helpers.variants.transform import Project, Skip
from helpers.variants.venvs import lineage

NAME = "copy_chown"
FIXES = ("DO505",)
USER_TOOLS = {"useradd", "adduser", "groupadd", "addgroup"}
BASE_USERS = {"root", "0", "nobody", "www-data", "daemon"}
APT = {"apt-get", "apt", "apk"}


def under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def resolve(stage: Stage, index: int, path: str) -> str:
    return posixpath.normpath(posixpath.join(stage.workdir_at(index), path))


def creates_user(command: str, names: set[str]) -> bool:
    return any(program(a) in USER_TOOLS and names & set(a[1:]) for a in simple_commands(command))


def user_ready(doc: Doc, stage: Stage, owner: str, before: int) -> bool:
    names = {n for n in owner.split(":") if n}
    if all(re.fullmatch(r"\d+", n) or n in BASE_USERS for n in names):
        return True
    earlier = [s for st in lineage(doc, stage)[:-1] for s in st.instructions] + stage.instructions[:before]
    return any(s.cmd == "RUN" and creates_user(s.script, names) for s in earlier)


def harmless(command: str, target: str) -> bool:
    """A command known not to write into the working directory: user creation, apt, ``pip install`` of
    named packages or requirement files (a local path would build in place)."""
    if target in command:
        return False
    argvs = simple_commands(command)
    for argv in argvs:
        call = pip_install(argv)
        elsewhere = program(argv) == "rm" and all(a.startswith("/") and not under(a, target) for a in argv[1:]
                                                  if not a.startswith("-"))
        if not (program(argv) in USER_TOOLS | APT or call is not None and not call.local or elsewhere):
            return False
    return bool(argvs)


def blocked(stage: Stage, target: str, first: int, at: int, chown_index: int) -> str | None:
    """Why converting the COPYs into ``target`` (first fill at ``first``, chown RUN at ``at``) could differ."""
    for i, step in enumerate(stage.instructions[:at + 1]):
        if step.cmd in ("COPY", "ADD"):
            dest = resolve(stage, i, step.dest)
            if under(target, dest) and target != dest:
                return f"`{step.text}` copies into a parent of {target}: what lands in it is unknown"
        elif step.cmd in ("WORKDIR", "VOLUME"):
            for value in step.value:
                path = resolve(stage, i, value.strip("[]\","))
                if under(path, target) and path != target:
                    return f"`{step.text}` makes a directory inside {target}, which the chown -R also owned"
        elif step.cmd == "RUN":
            commands = [step.script] if step.commands is None else step.commands
            commands = commands[:chown_index] if i == at else commands
            in_target = i >= first and under(stage.workdir_at(i), target)
            for command in commands:
                if (target in command or in_target) and not harmless(command, target):
                    return f"`{command[:60]}` may write into {target} before the chown"
    return None


def convert_stage(doc: Doc, stage: Stage) -> list[str]:
    done = []
    for step in list(stage.instructions):
        if step.cmd != "RUN" or step.commands is None or not any(s is step for s in stage.instructions):
            continue  # (a RUN emptied by moving its user creation is gone)
        at = stage.index_of(step)
        for ci, command in enumerate(list(step.commands)):
            argvs = simple_commands(command)
            chown = recursive_chown(argvs[0]) if len(argvs) == 1 else None
            if chown is None:
                continue
            owner, paths = chown
            kept_recursive, converted = [], []
            for path in paths:
                target = resolve(stage, at, path)
                fills = [i for i, s in enumerate(stage.instructions[:at]) if s.cmd in ("COPY", "ADD")
                         and under(resolve(stage, i, s.dest), target)]
                if "$" in path or set("*?[") & set(path) or not fills or blocked(stage, target, fills[0], at, ci):
                    kept_recursive.append(path)
                    continue
                if not user_ready(doc, stage, owner, fills[0]):
                    if not move_user_creation(stage, owner, fills[0], at):
                        kept_recursive.append(path)
                        continue
                    at = stage.index_of(step)
                    fills = [i for i, s in enumerate(stage.instructions[:at]) if s.cmd in ("COPY", "ADD")
                             and under(resolve(stage, i, s.dest), target)]
                for i in fills:
                    old = stage.instructions[i]
                    flags = [f for f in old.flags if not f.startswith("--chown")] + [f"--chown={owner}"]
                    stage.instructions[i] = Step.parse(" ".join([old.cmd, *flags, *old.value]))
                converted.append(path)
                done.append(f"{target} ({len(fills)} COPY)")
            if not converted:
                continue
            parts = [f"chown {owner} {' '.join(converted)}"]
            if kept_recursive:
                parts.append(f"chown -R {owner} {' '.join(kept_recursive)}")
            ci_now = step.commands.index(command)
            step.commands[ci_now:ci_now + 1] = parts
    return done


def move_user_creation(stage: Stage, owner: str, first: int, at: int) -> bool:
    """Move the commands creating ``owner`` (found between the COPY and the chown) to just before the COPY."""
    names = {n for n in owner.split(":") if n}
    moved = []
    for step in stage.instructions[first:at + 1]:
        if step.cmd != "RUN" or step.commands is None:
            continue
        creating = [c for c in step.commands if len(simple_commands(c)) == 1 and program(simple_commands(c)[0])
                    in USER_TOOLS and names & set(simple_commands(c)[0][1:])]
        if creating:
            moved += creating
            step.commands = [c for c in step.commands if c not in creating]
    if not moved:
        return False
    stage.instructions[:] = [s for s in stage.instructions if not (s.cmd == "RUN" and s.commands == [])]
    stage.instructions.insert(first, Step.run(moved))
    return True


def apply(doc: Doc, project: Project) -> str:
    done = [d for stage in doc.stages for d in convert_stage(doc, stage)]
    if not done:
        raise Skip("no RUN chown -R of a directory that only COPYs filled")
    return (f"COPY --chown for {', '.join(done)}: the recursive chown that stored those files a second time "
            "is now a chown of the directory itself")
