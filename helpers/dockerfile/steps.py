"""Just enough Dockerfile reading to tie BuildKit's steps to lines and to find base images.

BuildKit's plain progress names a step as ``[stage i/n] INSTRUCTION`` and never says which
Dockerfile line it came from; this module numbers the instructions the same way BuildKit
does (per stage, counting only the instructions that create a build vertex), so a step can
be traced to its line. The parsing itself (continuations, comments, stages) is
:mod:`helpers.dockerfile.model`'s, i.e. BuildKit's own parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers.dockerfile.model import ARG_REF, parse_or_none, substitute

# Instructions that BuildKit's Dockerfile frontend turns into vertices (and counts in i/n).
VERTEX_INSTRUCTIONS = {"FROM", "RUN", "COPY", "ADD", "WORKDIR"}


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: RUN, COPY, ...
    text: str  # the whole instruction on one line, continuations joined
    line: int  # 1-based line the instruction starts on
    end_line: int


@dataclass
class Stage:
    index: int
    name: str | None  # the `AS name`, lower case, or None
    base: str  # the FROM reference as written (may hold ${ARG}s)
    instructions: list[Instruction] = field(default_factory=list)

    @property
    def vertex_steps(self) -> list[Instruction]:
        """The instructions BuildKit numbers 1..n in ``[stage i/n]``."""
        return [i for i in self.instructions if i.keyword in VERTEX_INSTRUCTIONS]


@dataclass
class DockerfileSteps:
    global_args: dict[str, str | None]  # ARGs before the first FROM, with defaults
    stages: list[Stage]

    def stage(self, label: str | None) -> Stage | None:
        """The stage BuildKit calls ``label`` (its name, ``stage-N``, or None for a lone stage)."""
        if label is None:
            return self.stages[0] if len(self.stages) == 1 else None
        for stage in self.stages:
            if stage.name == label.lower():
                return stage
        match = re.fullmatch(r"stage-(\d+)", label)
        if match and int(match.group(1)) < len(self.stages):
            return self.stages[int(match.group(1))]
        return None


def parse(text: str) -> DockerfileSteps:
    """Instructions by stage, read with BuildKit's parser (:mod:`helpers.dockerfile.model`).

    Text the parser rejects (or that holds no instruction) gives no stages: a build log is
    still parsed, its steps just get no lines.
    """
    model = parse_or_none(text)
    if model is None:
        return DockerfileSteps({}, [])
    global_args = {key: None if value is None else value.strip().strip('"')
                   for key, value in model.global_args.items()}
    stages = [Stage(s.index, s.name.lower() if s.name else None, s.base_raw) for s in model.stages]
    for inst in model.instructions:
        if inst.stage < 0:
            continue
        words = inst.original.split()[1:]  # the keyword as BuildKit dispatches it, upper case
        stages[inst.stage].instructions.append(
            Instruction(inst.cmd, " ".join((inst.cmd, *words)), inst.start_line, inst.end_line))
    return DockerfileSteps(global_args, stages)


def read(path: Path) -> DockerfileSteps:
    return parse(Path(path).read_text())


def expand(value: str, variables: dict[str, str | None]) -> str:
    """Substitute ``$VAR``, ``${VAR}`` and ``${VAR:-default}`` as FROM does; unset names become ""."""
    names = {m.group(1) or m.group(4) for m in ARG_REF.finditer(value)}
    return substitute(value, {name: variables.get(name) or "" for name in names})


def base_images(steps: DockerfileSteps, build_args: dict[str, str] | None = None) -> list[str]:
    """The external images the stages start from (stage references and ``scratch`` left out)."""
    variables = {**steps.global_args, **(build_args or {})}
    names = {s.name for s in steps.stages if s.name}
    out: list[str] = []
    for stage in steps.stages:
        ref = expand(stage.base, variables)
        if ref.lower() in names or ref == "scratch" or ref in out:
            continue
        out.append(ref)
    return out
