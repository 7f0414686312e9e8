"""The little the security checks need from a Dockerfile: instructions with line numbers.

Read with :mod:`helpers.dockerfile.model` (BuildKit's parser): continuation lines joined, comments
dropped, each instruction tagged with its 1-based first line and stage index. Layer
history is matched back to these lines by normalised text, the way BuildKit writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers.dockerfile.model import parse_or_none

_BUILDKIT_SUFFIX = " # buildkit"
# "|2 A=1 B=2 " (build args in effect), then the SHELL: "/bin/sh -c ", "/bin/busybox sh -c "...
_SHELL_PREFIX = re.compile(r"^(\|\d+ (?:\S+=\S* )*)?/\S+(?: sh| bash)? -c ")
_FLAG = re.compile(r"--[a-z-]+=\S+\s*")  # --mount=, --from=, --chown=: history omits them


@dataclass(frozen=True)
class Instruction:
    line: int  # first line, 1-based
    keyword: str  # upper case: FROM, RUN, COPY...
    args: str  # continuation lines joined with single spaces
    stage: int  # index of the FROM it belongs to (-1 before the first FROM: global ARGs)


def instructions(text: str) -> list[Instruction]:
    """Every instruction BuildKit's parser reads (via :mod:`helpers.dockerfile.model`); [] when it reads none."""
    model = parse_or_none(text)
    if model is None:
        return []
    return [Instruction(i.start_line, i.cmd, " ".join(i.original.split()[1:]), i.stage) for i in model.instructions]


def arg_defaults(items: list[Instruction]) -> dict[str, str]:
    """ARG name -> default value ("" when declared without one); later declarations win."""
    defaults: dict[str, str] = {}
    for item in items:
        if item.keyword == "ARG":
            name, _, value = item.args.partition("=")
            defaults[name.strip()] = value.strip().strip('"')
    return defaults


def final_stage(items: list[Instruction]) -> list[Instruction]:
    last = max((i.stage for i in items), default=-1)
    return [i for i in items if i.stage == last and last >= 0]


def normalise_created_by(created_by: str) -> tuple[str, str]:
    """(keyword, args) from a history entry's ``created_by`` as BuildKit or the classic builder wrote it."""
    text = created_by.removesuffix(_BUILDKIT_SUFFIX).strip()
    text = text.removeprefix("/bin/sh -c #(nop) ").strip()
    keyword, _, args = text.partition(" ")
    keyword = keyword.upper()
    if keyword == "RUN" or keyword.startswith("|") or keyword == "/BIN/SH":
        args = _SHELL_PREFIX.sub("", text.removeprefix("RUN ").strip()) if keyword != "RUN" else \
            _SHELL_PREFIX.sub("", args)
        keyword = "RUN"
    return keyword, " ".join(args.split())


def line_for(created_by: str, items: list[Instruction]) -> int | None:
    """The Dockerfile line that most likely made a history entry (final stage first), or None."""
    keyword, args = normalise_created_by(created_by)
    if not keyword:
        return None
    stages = final_stage(items) + [i for i in items if i not in final_stage(items)]
    for item in stages:
        if item.keyword != keyword:
            continue
        mine = " ".join(_FLAG.sub("", item.args).split())
        if mine == args:
            return item.line
        if keyword in ("ENV", "LABEL") and _names(mine) == _names(args):
            return item.line  # values differ once the engine expands $PATH and friends
        if keyword in ("WORKDIR", "USER", "EXPOSE") and sorted(mine.split()) == sorted(args.split()):
            return item.line
    return None


def _names(assignments: str) -> list[str]:
    return sorted(part.split("=", 1)[0] for part in assignments.split() if "=" in part)
