"""Which Dockerfile line made each history entry (and so each layer): the one answer.

The layer table (:mod:`helpers.measure.report`) and the security findings
(:mod:`helpers.security.facts`) both ask it, so a layer gets the same line in both.

The engine records a ``created_by`` string per history entry, not a line number, and its
spelling differs from the Dockerfile's: BuildKit writes ``RUN /bin/sh -c CMD # buildkit``,
drops ``--from``/``--mount`` flags and expands ``$VARS`` in ENV; the legacy builder writes
``/bin/sh -c #(nop)  ENV ...``. The final stage's entries are the last ones in the history,
after the base image's, so the matcher aligns the final stage's instructions with the tail
of the history in order (a small longest-common-subsequence alignment): an instruction and
an entry may pair only when their keywords agree, and among alignments the one whose texts
are most alike wins. Unpaired entries before the first pair belong to the base image.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from helpers.dockerfile.model import Dockerfile, Instruction, Stage, parse_or_none

BASE = "base image"


@dataclass(frozen=True)
class Attribution:
    keyword: str
    line: int | None  # None for entries of the base image
    stage: str  # the stage's name (AS ...) or its index; BASE, "unmatched", or "" without a Dockerfile
    instruction: str


def built_stage(model: Dockerfile | None, target: str | None = None) -> Stage | None:
    """The stage whose instructions made the image's own history entries: the target, else the last."""
    if model is None or not model.stages:
        return None
    if target:
        return next((s for s in model.stages if (s.name or str(s.index)) == target), model.stages[-1])
    return model.stages[-1]


def stage_name(stage: Stage) -> str:
    return stage.name or str(stage.index)


_LEGACY_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")
_RUN_ARGS = re.compile(r"^\|(\d+)\s+")  # "|2 A=1 B=2 /bin/sh -c ..." (build args a RUN saw)


def split_created_by(created_by: str) -> tuple[str, str]:
    """(keyword, text) of a history entry, whichever builder wrote it."""
    text = created_by.strip()
    if not text:
        return "", ""
    if text.endswith("# buildkit"):
        text = text[: -len("# buildkit")].rstrip()
    if _LEGACY_NOP.match(text):
        text = _LEGACY_NOP.sub("", text)
    elif not re.match(r"^[A-Z]+\b", text):  # legacy builder RUN: the bare shell command
        text = "RUN " + text
    keyword, _, rest = text.partition(" ")
    if keyword == "RUN":
        match = _RUN_ARGS.match(rest)
        if match:
            tokens = rest[match.end():].split(" ")
            rest = " ".join(tokens[int(match.group(1)):])
        rest = re.sub(r"^/bin/(ba)?sh -c ", "", rest)
    return keyword.upper(), rest


def _canonical(text: str) -> str:
    text = re.sub(r"--[a-z-]+=\S+", " ", text)  # flags the history drops (--from, --mount, --chown)
    text = re.sub(r"[\[\]\",\\]", " ", text)
    return " ".join(text.split())


def instruction_body(instruction: Instruction) -> str:
    text = instruction.original
    return _canonical(text.split(None, 1)[1] if " " in text.strip() else "")


def similarity(instruction: Instruction, created_by: str) -> float:
    """0 when the keywords differ, else 0.5 plus half the texts' similarity (a keyword match counts)."""
    keyword, text = split_created_by(created_by)
    if keyword != instruction.cmd:
        return 0.0
    ratio = difflib.SequenceMatcher(None, instruction_body(instruction), _canonical(text), autojunk=False).ratio()
    return 0.5 + 0.5 * ratio


def align(instructions: list[Instruction], created_by: list[str]) -> list[Instruction | None]:
    """Pair instructions with history entries (oldest first); one element per entry.

    Only the last ``len(instructions)`` entries are candidates: each instruction writes at most
    one entry, and the final stage's entries come last.
    """
    n = len(created_by)
    start = max(0, n - len(instructions))
    tail = created_by[start:]
    rows, cols = len(instructions), len(tail)
    score = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows - 1, -1, -1):
        for j in range(cols - 1, -1, -1):
            pair = similarity(instructions[i], tail[j])
            best = max(score[i + 1][j], score[i][j + 1])
            if pair > 0:
                best = max(best, pair + score[i + 1][j + 1])
            score[i][j] = best
    paired: list[Instruction | None] = [None] * n
    i = j = 0
    while i < rows and j < cols:
        pair = similarity(instructions[i], tail[j])
        if pair > 0 and abs(score[i][j] - (pair + score[i + 1][j + 1])) < 1e-9:
            paired[start + j] = instructions[i]
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return paired


def attribute(created_by: list[str], dockerfile_text: str | None, target: str | None = None) -> list[Attribution]:
    """An attribution per history entry (oldest first).

    Without a Dockerfile, entries keep their own keyword and text, no line, and an empty stage
    (which of them came from the base image cannot be told). Text BuildKit's parser rejects
    leaves every entry to the base image.
    """
    built = built_stage(parse_or_none(dockerfile_text), target) if dockerfile_text else None
    paired = align(built.instructions, created_by) if built is not None else [None] * len(created_by)
    first = next((k for k, p in enumerate(paired) if p is not None), len(created_by))
    result = []
    for k, (entry, instruction) in enumerate(zip(created_by, paired)):
        keyword, text = split_created_by(entry) if entry else ("", "")
        if instruction is not None:
            result.append(Attribution(instruction.cmd, instruction.start_line, stage_name(built),
                                      " ".join(instruction.original.split())))
        else:
            stage = "" if not dockerfile_text else BASE if k < first else "unmatched"
            result.append(Attribution(keyword, None, stage, f"{keyword} {text}".strip()))
    return result
