"""BuildKit cache mounts for apt and pip, replacing the flags that disabled their caches.

With the cache in a mount it never lands in a layer, so ``--no-cache-dir``, ``PIP_NO_CACHE_DIR``
and ``rm -rf /var/lib/apt/lists/*`` have nothing left to protect against, and keeping them
would throw away exactly what the mount is there to reuse (downloads, compiled wheels).
Only RUNs executed as root are mounted: the cache paths below are root's.
"""

from __future__ import annotations

import re

from helpers.lint.shell import program, simple_commands
from helpers.variants import apt_hygiene
from helpers.variants.doc import Doc, Stage, Step, env_line
from helpers.variants.python_installs import pip_calls
from helpers.variants.transform import Project, Skip

NAME = "cache_mounts"
FIXES = ("DO401", "DO402", "DO501")
APT_MOUNTS = ["--mount=type=cache,target=/var/cache/apt,sharing=locked",
              "--mount=type=cache,target=/var/lib/apt,sharing=locked"]
PIP_MOUNT = "--mount=type=cache,target=/root/.cache/pip"
UV_MOUNT = "--mount=type=cache,target=/root/.cache/uv"
KEEP_DEBS = "rm -f /etc/apt/apt.conf.d/docker-clean"  # the Docker-made Debian images delete .debs after install


def add(flags: list[str], new: list[str]) -> list[str]:
    return flags + [f for f in new if f not in flags]


def mount_stage(stage: Stage) -> list[str]:
    done: list[str] = []
    root = True
    keep_debs_added = False
    for step in stage.steps:
        if step.cmd == "USER":
            root = step.value[0].split(":")[0] in ("root", "0")
        if step.cmd != "RUN" or step.commands is None or not root:
            continue
        if apt_hygiene.apt_run(step) and apt_hygiene.followable(step):
            step.flags = add(step.flags, APT_MOUNTS)
            step.commands = [c for c in step.commands if not apt_hygiene.is_cleanup(c)]
            if not keep_debs_added:
                step.commands.insert(0, KEEP_DEBS)
                keep_debs_added = True
            done.append("apt")
        uses_uv = any(program(a) == "uv" for a in simple_commands(step.script))
        if pip_calls(step) and not uses_uv:
            step.flags = add(step.flags, [PIP_MOUNT])
            step.commands = [re.sub(r"\s--no-cache-dir\b", "", c) for c in step.commands]
            done.append("pip")
        if uses_uv:
            step.flags = add(step.flags, [UV_MOUNT])
            step.commands = [re.sub(r"\s--no-cache\b", "", c) for c in step.commands]
            done.append("uv")
    if "pip" in done:
        for i, step in enumerate(stage.steps):
            pairs = step.env_pairs()
            if any(k == "PIP_NO_CACHE_DIR" for k, _ in pairs):
                left = [(k, v) for k, v in pairs if k != "PIP_NO_CACHE_DIR"]
                stage.steps[i] = Step.parse(env_line(left)) if left else None
        stage.steps[:] = [s for s in stage.steps if s is not None]
    if "uv" in done:
        first = next(i for i, s in enumerate(stage.steps) if UV_MOUNT in s.flags)
        stage.steps.insert(first, Step.parse("ENV UV_LINK_MODE=copy"))
    return done


def apply(doc: Doc, project: Project) -> str:
    used = [m for stage in doc.stages for m in mount_stage(stage)]
    if not used:
        raise Skip("no apt, pip or uv step runs as root to mount a cache for")
    return (f"cache mounts for {', '.join(dict.fromkeys(used))}; --no-cache-dir, PIP_NO_CACHE_DIR and "
            "apt list cleanup dropped where the mount replaces them")
