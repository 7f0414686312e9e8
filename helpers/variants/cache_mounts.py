"""BuildKit cache mounts for apt, pip and uv, dropping the flags that would leave them unused.

With the cache in a mount it never lands in a layer, so ``--no-cache-dir`` (and the ``--no-cache``
abbreviation pip also accepts), ``PIP_NO_CACHE_DIR``, uv's ``--no-cache`` / ``UV_NO_CACHE`` and
``rm -rf /var/lib/apt/lists/*`` have nothing left to protect against; keeping them would throw away
exactly what the mount is there to reuse (downloads, compiled wheels). So a mount is added only
together with dropping them; where one cannot be dropped (set in a stage this one is built FROM,
which other stages share) no mount is added, and the outcome says why. Only RUNs executed as root
are mounted: the cache paths below are root's.
"""

from __future__ import annotations

import re

from helpers.dockerfile.model import Stage
from helpers.lint.shell import pip_install, pip_wheel, program, simple_commands
from helpers.variants import apt_hygiene
from helpers.variants.doc import Doc, Step, env_line
from helpers.variants.transform import Project, Skip
from helpers.variants.venvs import lineage

NAME = "cache_mounts"
FIXES = ("DO401", "DO402", "DO501")
APT_MOUNTS = ["--mount=type=cache,target=/var/cache/apt,sharing=locked",
              "--mount=type=cache,target=/var/lib/apt,sharing=locked"]
PIP_MOUNT = "--mount=type=cache,target=/root/.cache/pip"
UV_MOUNT = "--mount=type=cache,target=/root/.cache/uv"
KEEP_DEBS = "rm -f /etc/apt/apt.conf.d/docker-clean"  # the Docker-made Debian images delete .debs after install
# pip (optparse) accepts any unambiguous prefix of --no-cache-dir; --no-cach is the shortest (--no-c... is not)
PIP_NO_CACHE = re.compile(r"\s+(--no-cach(?:e(?:-(?:d(?:ir?)?)?)?)?)(?!\S)")
UV_NO_CACHE = re.compile(r"\s+(--no-cache|-n)(?!\S)")
ENV_OFF = {"pip": "PIP_NO_CACHE_DIR", "uv": "UV_NO_CACHE"}


def add(flags: list[str], new: list[str]) -> list[str]:
    return flags + [f for f in new if f not in flags]


def drop_flag(step: Step, pattern: re.Pattern, tool_call, dropped: list[str]) -> None:
    """Remove ``pattern`` from the commands that call the tool (``echo -n`` elsewhere is left alone)."""
    for i, command in enumerate(step.commands):
        if any(tool_call(a) for a in simple_commands(command)):
            dropped += pattern.findall(command)
            step.commands[i] = pattern.sub("", command)


def is_pip(argv: list[str]) -> bool:
    return pip_install(argv) is not None or pip_wheel(argv) is not None


def is_uv(argv: list[str]) -> bool:
    return program(argv) == "uv"


def inherited_off(doc: Doc, stage: Stage, tool: str) -> str | None:
    """The stage this one is built FROM that turns ``tool``'s cache off, if any."""
    for parent in lineage(doc, stage)[:-1]:
        if any(k == ENV_OFF[tool] for s in parent.instructions for k, _ in s.env_pairs()):
            return parent.name
    return None


def mount_stage(doc: Doc, stage: Stage, dropped: list[str], declined: list[str]) -> list[str]:
    done: list[str] = []
    root = True
    keep_debs_added = False
    blocked = {tool: inherited_off(doc, stage, tool) for tool in ENV_OFF}
    for tool, parent in blocked.items():
        if parent:
            declined.append(f"{tool} in stage {stage.name or doc.stages.index(stage)}: {ENV_OFF[tool]} is set by "
                            f"the stage it is built FROM ({parent}), so a mount there would stay unused")
    for step in stage.instructions:
        if step.cmd == "USER":
            root = step.value[0].split(":")[0] in ("root", "0")
        if step.cmd != "RUN" or step.commands is None or not root:
            continue
        if apt_hygiene.apt_run(step) and apt_hygiene.followable(step):
            step.flags = add(step.flags, APT_MOUNTS)
            kept = [c for c in step.commands if not apt_hygiene.is_cleanup(c)]
            if len(kept) < len(step.commands):
                dropped.append("apt list cleanup")
            step.commands = kept
            if not keep_debs_added:
                step.commands.insert(0, KEEP_DEBS)
                keep_debs_added = True
            done.append("apt")
        argvs = simple_commands(step.script)
        uses_uv = any(is_uv(a) for a in argvs)
        uses_pip = any(is_pip(a) for a in argvs)
        if uses_pip and not uses_uv and not blocked["pip"]:
            step.flags = add(step.flags, [PIP_MOUNT])
            drop_flag(step, PIP_NO_CACHE, is_pip, dropped)
            done.append("pip")
        if uses_uv and not blocked["uv"]:
            step.flags = add(step.flags, [UV_MOUNT])
            drop_flag(step, UV_NO_CACHE, is_uv, dropped)
            done.append("uv")
    for tool in ("pip", "uv"):
        if tool in done:
            for i, step in enumerate(stage.instructions):
                pairs = step.env_pairs()
                if any(k == ENV_OFF[tool] for k, _ in pairs):
                    dropped.append(ENV_OFF[tool])
                    left = [(k, v) for k, v in pairs if k != ENV_OFF[tool]]
                    stage.instructions[i] = Step.parse(env_line(left)) if left else None
            stage.instructions[:] = [s for s in stage.instructions if s is not None]
    if "uv" in done:
        first = next(i for i, s in enumerate(stage.instructions) if UV_MOUNT in s.flags)
        stage.instructions.insert(first, Step.parse("ENV UV_LINK_MODE=copy"))
    return done


def apply(doc: Doc, project: Project) -> str:
    dropped: list[str] = []
    declined: list[str] = []
    used = [m for stage in doc.stages for m in mount_stage(doc, stage, dropped, declined)]
    if not used:
        raise Skip("; ".join(declined) if declined else "no apt, pip or uv step runs as root to mount a cache for")
    what = f"cache mounts for {', '.join(dict.fromkeys(used))}"
    what += (f"; dropped {', '.join(dict.fromkeys(dropped))}, which would leave the mounts unused" if dropped
             else "; no cache-disabling flag to drop")
    return what + (f"; not mounted: {'; '.join(declined)}" if declined else "")
