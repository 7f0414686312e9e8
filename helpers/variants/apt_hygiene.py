"""Combine apt steps with their cleanup in one layer, with ``--no-install-recommends``.

A ``rm -rf /var/lib/apt/lists/*`` in a later RUN frees nothing (the lists are already in the
earlier layer), and recommended packages are rarely needed in a container. Only apt is
rewritten: other package managers' flags and caches differ, so their RUNs are left alone.
"""

from __future__ import annotations

import re

from helpers.dockerfile.model import Stage
from helpers.lint.shell import program, simple_commands
from helpers.variants.doc import Doc, Step
from helpers.variants.transform import Project, Skip

NAME = "apt_hygiene"
FIXES = ("DO502", "DO503", "DO603")
APT = {"apt-get", "apt"}
OTHER_MANAGERS = {"apk", "dnf", "yum", "microdnf", "zypper"}
CLEANUP = re.compile(r"^(rm -r?f?r?f? (/var/lib/apt/lists/\*?|/var/cache/apt/\S*)( /var/\S+)*|apt-get clean|"
                     r"apt-get (-y )?autoremove( -y)?)$")
# apt-get clean too: a base without Debian's docker-clean hook (any debootstrap-made one; dockopt's
# own bases carry it, helpers.engine.docker_apt_config) would otherwise keep the downloaded .debs.
CLEANUP_COMMANDS = ["apt-get clean", "rm -rf /var/lib/apt/lists/*"]


def argvs(command: str) -> list[list[str]]:
    return simple_commands(command)


def is_apt(command: str) -> bool:
    return any(program(a) in APT for a in argvs(command))


def is_install(command: str) -> bool:
    return any(program(a) in APT and "install" in a[1:] for a in argvs(command))


def is_cleanup(command: str) -> bool:
    return bool(CLEANUP.match(" ".join(command.split())))


def followable(step: Step) -> bool:
    """A RUN whose apt commands are each one simple command (no pipes or lists hiding inside)."""
    return step.commands is not None and all(len(argvs(c)) <= 1 for c in step.commands if is_apt(c))


def apt_run(step: Step) -> bool:
    return step.cmd == "RUN" and step.commands is not None and any(is_apt(c) for c in step.commands)


def cleanup_run(step: Step) -> bool:
    return step.cmd == "RUN" and step.commands is not None and all(is_cleanup(c) for c in step.commands)


def fix_install(command: str) -> str:
    if "--no-install-recommends" not in command:
        command = re.sub(r"\binstall\b", "install --no-install-recommends", command, count=1)
    tokens = command.split()
    if not any(t in ("-y", "--yes", "--assume-yes") or re.fullmatch(r"-[a-z]*y[a-z]*", t) for t in tokens):
        command = re.sub(r"\binstall\b", "install -y", command, count=1)
    return command


def tidy(step: Step) -> None:
    commands = [c for c in step.commands if not is_cleanup(c)]
    commands = [fix_install(c) if is_install(c) else c for c in commands]
    first_install = next(i for i, c in enumerate(commands) if is_install(c) or is_apt(c))
    if not any("update" in a[1:] for c in commands for a in argvs(c) if program(a) in APT):
        commands.insert(first_install, "apt-get update")
    commands += CLEANUP_COMMANDS
    step.commands = commands


def mergeable(step: Step) -> bool:
    """An apt RUN that can join the one before (one with flags, e.g. mounts, keeps its own)."""
    return apt_run(step) and followable(step) and not step.flags


def rewrite_stage(stage: Stage) -> int:
    merged, i, touched = 0, 0, 0
    steps = stage.instructions
    while i < len(steps):
        step = steps[i]
        if apt_run(step) and followable(step):
            while i + 1 < len(steps) and (cleanup_run(steps[i + 1]) or mergeable(steps[i + 1])):
                step.commands = step.commands + steps.pop(i + 1).commands
                merged += 1
            before = list(step.commands)
            tidy(step)
            touched += step.commands != before or merged > 0
        i += 1
    return touched


def apply(doc: Doc, project: Project) -> str:
    managers = {program(a) for st in doc.stages for s in st.instructions if s.cmd == "RUN"
                for a in simple_commands(s.script)}
    apt_runs = [s for st in doc.stages for s in st.instructions if apt_run(s)]
    if not apt_runs:
        other = sorted(managers & OTHER_MANAGERS)
        raise Skip(f"package manager {', '.join(other)}: only apt is rewritten" if other else "no apt steps")
    if not any(followable(s) for s in apt_runs):
        raise Skip("every apt RUN hides apt inside pipes or command lists this transform does not follow")
    touched = sum(rewrite_stage(stage) for stage in doc.stages)
    if not touched:
        raise Skip("apt steps already combine cleanup and --no-install-recommends")
    return "apt update/install/cleanup in one RUN, --no-install-recommends, lists removed in the same layer"
