"""Turn BuildKit ``--progress=plain`` output into one record per build step.

The plain format gives, per vertex ``#N``: a name line (``[stage i/n] INSTRUCTION``,
``[internal] ...`` or ``exporting to image``), output lines prefixed by seconds since the
vertex started, then ``DONE 1.2s``, ``CACHED``, ``ERROR: ...`` or ``CANCELED``. It never prints
start times, cached vertices arrive in any order, and a vertex's name is printed again when
its output interleaves with another's, so records are keyed by vertex number, not by order.
Which steps re-ran in a rebuild is what the report shows, so a step's Dockerfile line is
recovered here: from BuildKit's own error context when it prints one, else by numbering the
Dockerfile's instructions as BuildKit does (see helpers.dockerfile.model's ``Stage.vertex_steps``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from helpers.dockerfile import steps as dockerfile_steps
from helpers.dockerfile.model import Dockerfile

_VERTEX_LINE = re.compile(r"^#(\d+) (.*)$")
_STEP_NAME = re.compile(r"^\[(?:(?P<stage>\S+)\s+)?\s*(?P<i>\d+)/(?P<n>\d+)\]\s+(?P<instr>.*)$")
_DONE = re.compile(r"^DONE (\d+(?:\.\d+)?)s$")
_OUTPUT = re.compile(r"^\d+(?:\.\d+)? ")
_ERROR_CONTEXT_LINE = re.compile(r"^(?P<file>\S*Dockerfile\S*):(?P<line>\d+)$")


@dataclass
class Step:
    """One BuildKit vertex as the plain progress reported it.

    ``seconds`` is BuildKit's own duration (``DONE 1.2s``), None for cached or failed steps.
    ``kind`` is ``step`` for Dockerfile instructions, ``internal`` for BuildKit's own loading
    work, ``export`` for writing the image, ``other`` for anything else.
    """

    vertex: int
    name: str
    kind: str
    stage: str | None = None
    index: int | None = None
    total: int | None = None
    instruction: str | None = None
    keyword: str | None = None
    line: int | None = None
    seconds: float | None = None
    cached: bool = False
    error: str | None = None
    canceled: bool = False
    output_lines: int = 0

    @property
    def ran(self) -> bool:
        """Whether BuildKit executed the step in this build (the question a rebuild asks)."""
        # FROM only resolves a local image (DONE 0.0s when not CACHED): it never "re-runs".
        if self.kind != "step" or self.keyword == "FROM" or self.cached:
            return False
        return self.seconds is not None or self.error is not None

    def as_dict(self) -> dict:
        return {**asdict(self), "ran": self.ran}


def classify(name: str) -> dict:
    """Split a vertex name into kind, stage, i/n and instruction (pure)."""
    if name.startswith("[internal]"):
        return {"kind": "internal"}
    if name.startswith("exporting") or name.startswith("naming to") or name.startswith("writing image"):
        return {"kind": "export"}
    match = _STEP_NAME.match(name)
    if not match:
        return {"kind": "other"}
    instruction = match.group("instr").strip()
    return {
        "kind": "step",
        "stage": match.group("stage"),
        "index": int(match.group("i")),
        "total": int(match.group("n")),
        "instruction": instruction,
        "keyword": instruction.split(" ", 1)[0].upper(),
    }


def parse(log: str) -> list[Step]:
    """Every vertex in a plain-progress log, ordered by vertex number."""
    steps: dict[int, Step] = {}
    last_error: Step | None = None
    for raw in log.splitlines():
        line = raw.rstrip("\r")
        match = _VERTEX_LINE.match(line)
        if not match:
            context = _ERROR_CONTEXT_LINE.match(line.strip())
            if context and last_error is not None and last_error.kind == "step":
                last_error.line = int(context.group("line"))
            continue
        number, rest = int(match.group(1)), match.group(2)
        step = steps.get(number)
        if step is None:
            steps[number] = Step(vertex=number, name=rest, **classify(rest))
            continue
        done = _DONE.match(rest)
        if done:
            step.seconds = float(done.group(1))
        elif rest == "CACHED":
            step.cached = True
        elif rest.startswith("ERROR"):
            step.error = rest.partition(":")[2].strip() or rest
            last_error = step
        elif rest == "CANCELED":
            step.canceled = True
        elif _OUTPUT.match(rest):
            step.output_lines += 1
    return [steps[n] for n in sorted(steps)]


def _normalise(text: str) -> str:
    return " ".join(text.split())


def attach_lines(steps: list[Step], dockerfile: Dockerfile | None) -> list[Step]:
    """Fill each step's Dockerfile line from its stage and position (and check the text agrees).

    BuildKit numbers a stage's vertex-creating instructions 1..n; when the stage is found and
    the count agrees, position i is the i-th such instruction. The instruction text confirms
    it (FROM is printed with its arguments expanded, so FROM is matched by position alone).
    When position and text disagree, the text wins if it is unique in the stage. Without a
    model (the parser rejected the file) steps keep no line.
    """
    for step in steps:
        if step.kind != "step" or step.line is not None:
            continue
        stage = dockerfile_steps.stage_for(dockerfile, step.stage)
        if stage is None:
            continue
        vertex_steps = stage.vertex_steps
        candidate = None
        if step.total == len(vertex_steps) and step.index and step.index <= len(vertex_steps):
            candidate = vertex_steps[step.index - 1]
        printed = _normalise(step.instruction or "")
        if candidate is not None and (candidate.cmd == "FROM" or _normalise(candidate.printed) == printed):
            step.line = candidate.start_line
            continue
        same_text = [i for i in (stage.from_instruction, *stage.instructions) if _normalise(i.printed) == printed]
        if len(same_text) == 1:
            step.line = same_text[0].start_line
        elif candidate is not None:
            step.line = candidate.start_line
    return steps


def parse_build(log: str, dockerfile: Path | str | None = None) -> list[Step]:
    """Parse a log and, given the Dockerfile it built, attach each step's line."""
    steps = parse(log)
    if dockerfile is not None:
        attach_lines(steps, dockerfile_steps.read(Path(dockerfile)))
    return steps


def total_seconds(steps: list[Step]) -> float:
    """Sum of BuildKit's step durations (steps can run in parallel, so not a wall time)."""
    return sum(s.seconds or 0.0 for s in steps)


def ran(steps: list[Step]) -> list[Step]:
    """The Dockerfile steps this build executed rather than took from the cache."""
    return [s for s in steps if s.ran]


def first_error(steps: list[Step]) -> Step | None:
    """The step whose failure stopped the build (others are canceled after it)."""
    failed = [s for s in steps if s.error and not s.error.startswith("context canceled")]
    return failed[0] if failed else next((s for s in steps if s.error), None)
