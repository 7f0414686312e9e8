"""Which Dockerfile line made each history entry (and so each layer).

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

from helpers.dockerfile.model import parse_or_none

BASE = "base image"


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: RUN, COPY, ENV...
    text: str  # the instruction as written, continuation lines joined
    line: int  # first line in the Dockerfile (1-based)
    stage: str  # the stage's name (AS ...) or its index


@dataclass(frozen=True)
class Attribution:
    keyword: str
    line: int | None  # None for entries of the base image
    stage: str
    instruction: str


def stages(dockerfile_text: str) -> list[list[Instruction]]:
    """The Dockerfile's stages, each a list of its instructions (FROM first).

    Read with :mod:`helpers.dockerfile.model`; text BuildKit's parser rejects has no stages.
    """
    model = parse_or_none(dockerfile_text)
    if model is None:
        return []
    result: list[list[Instruction]] = [[] for _ in model.stages]
    for command in model.instructions:
        if command.stage < 0:
            continue  # ARGs before the first FROM make no history
        stage = model.stages[command.stage]
        name = stage.name or str(stage.index)
        result[stage.index].append(Instruction(command.cmd, command.original, command.start_line, name))
    return result


def final_stage(dockerfile_text: str, target: str | None = None) -> list[Instruction]:
    """The instructions that produced the image's own history entries (FROM excluded)."""
    all_stages = stages(dockerfile_text)
    if not all_stages:
        return []
    chosen = all_stages[-1]
    if target:
        chosen = next((s for s in all_stages if s and s[0].stage == target), chosen)
    return [i for i in chosen if i.keyword != "FROM"]


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
    return _canonical(instruction.text.split(None, 1)[1] if " " in instruction.text.strip() else "")


def similarity(instruction: Instruction, created_by: str) -> float:
    """0 when the keywords differ, else 0.5 plus half the texts' similarity (a keyword match counts)."""
    keyword, text = split_created_by(created_by)
    if keyword != instruction.keyword:
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
    (which of them came from the base image cannot be told).
    """
    paired = align(final_stage(dockerfile_text, target), created_by) if dockerfile_text else [None] * len(created_by)
    first = next((k for k, p in enumerate(paired) if p is not None), len(created_by))
    result = []
    for k, (entry, instruction) in enumerate(zip(created_by, paired)):
        keyword, text = split_created_by(entry) if entry else ("", "")
        if instruction is not None:
            result.append(Attribution(instruction.keyword, instruction.line, instruction.stage,
                                      " ".join(instruction.text.split())))
        else:
            stage = "" if not dockerfile_text else BASE if k < first else "unmatched"
            result.append(Attribution(keyword, None, stage, f"{keyword} {text}".strip()))
    return result
