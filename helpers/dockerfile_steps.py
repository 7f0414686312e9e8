"""Just enough Dockerfile reading to tie BuildKit's steps to lines and to find base images.

BuildKit's plain progress names a step as ``[stage i/n] INSTRUCTION`` and never says which
Dockerfile line it came from; this module numbers the instructions the same way BuildKit
does (per stage, counting only the instructions that create a build vertex), so a step can
be traced to its line. A fuller Dockerfile model lives with the linter; this one stays
minimal on purpose so the build path does not depend on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# Instructions that BuildKit's Dockerfile frontend turns into vertices (and counts in i/n).
VERTEX_INSTRUCTIONS = {"FROM", "RUN", "COPY", "ADD", "WORKDIR"}
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


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


def logical_lines(text: str) -> list[tuple[str, int, int]]:
    """(instruction text, first line, last line): comments dropped, ``\\`` continuations joined."""
    out: list[tuple[str, int, int]] = []
    buf: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by the parser
        if not buf:
            start = number
        if raw.rstrip().endswith("\\"):
            buf.append(raw.rstrip()[:-1])
            continue
        buf.append(raw)
        out.append((" ".join(part.strip() for part in buf if part.strip()), start, number))
        buf = []
    if buf:
        out.append((" ".join(part.strip() for part in buf if part.strip()), start, number))
    return out


def parse(text: str) -> DockerfileSteps:
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    for body, start, end in logical_lines(text):
        keyword, _, rest = body.partition(" ")
        keyword = keyword.upper()
        inst = Instruction(keyword, f"{keyword} {rest.strip()}".strip(), start, end)
        if keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(len(stages), name, words[0] if words else "", [inst]))
        elif not stages:
            if keyword == "ARG":
                key, eq, default = rest.strip().partition("=")
                global_args[key.strip()] = default.strip().strip('"') if eq else None
        else:
            stages[-1].instructions.append(inst)
    return DockerfileSteps(global_args, stages)


def read(path: Path) -> DockerfileSteps:
    return parse(Path(path).read_text())


def expand(value: str, variables: dict[str, str | None]) -> str:
    """Substitute ``$VAR``, ``${VAR}`` and ``${VAR:-default}`` the way FROM lines are expanded."""
    def sub(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        found = variables.get(name)
        if found:
            return found
        return match.group(2) or ""
    return _VAR.sub(sub, value)


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
