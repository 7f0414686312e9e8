"""An editable Dockerfile: what transforms rewrite, rendered back to text.

The model's instructions (:mod:`helpers.dockerfile.model`) are read-only and keyed to line
numbers of the original file; transforms need to insert, move and rewrite them. So a generated
Dockerfile is held as the model's :class:`~helpers.dockerfile.model.Stage` of :class:`Step`, each
step built from the model's parse of that instruction, and every new step is parsed the same
way (``Step.parse``), which keeps flags and values exactly as BuildKit will read them. What
needs the whole file (ARG values, which stage a FROM names) is the :class:`Doc`'s to answer
(``Doc.resolve``, ``Doc.stage_named``), since edits move it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from helpers.dockerfile.arguments import arg_values, substitute
from helpers.dockerfile.model import Instruction, Stage, parse_text


@dataclass
class Step:
    """One instruction. RUN scripts that are plain ``&&`` chains are kept as ``commands``."""

    cmd: str
    flags: list[str]
    value: tuple[str, ...]
    text: str  # the instruction as written (one line), used when nothing structured changed
    json: bool = False
    commands: list[str] | None = None  # RUN only: the ``&&``-joined commands, when splittable
    comment: list[str] = field(default_factory=list)  # lines written as ``# ...`` just above it (why it is there)

    @classmethod
    def from_instruction(cls, ins: Instruction) -> "Step":
        step = cls(ins.cmd, list(ins.flags), tuple(ins.value), ins.original, ins.json)
        if ins.cmd == "RUN" and not ins.json and not ins.heredocs:
            step.commands = split_and_chain(ins.value[0] if ins.value else "")
        return step

    @classmethod
    def parse(cls, line: str) -> "Step":
        """A step from one instruction's text (continuations allowed), read by BuildKit's parser."""
        model = parse_text("FROM scratch\n" + line + "\n")
        return cls.from_instruction(model.instructions[1])

    @classmethod
    def run(cls, commands: list[str], flags: list[str] | None = None) -> "Step":
        step = cls.parse("RUN " + " && ".join(commands))
        step.flags = list(flags or [])
        step.commands = list(commands)
        return step

    @property
    def is_context_copy(self) -> bool:
        return self.cmd in ("COPY", "ADD") and not any(f.startswith("--from") for f in self.flags)

    @property
    def copy_from(self) -> str | None:
        for flag in self.flags:
            if flag.startswith("--from="):
                return flag.partition("=")[2]
        return None

    @property
    def sources(self) -> list[str]:
        return list(self.value[:-1]) if self.cmd in ("COPY", "ADD") else []

    @property
    def dest(self) -> str:
        return self.value[-1] if self.cmd in ("COPY", "ADD") and self.value else ""

    @property
    def script(self) -> str:
        if self.commands is not None:
            return " && ".join(self.commands)
        return " ".join(self.value)

    def env_pairs(self) -> list[tuple[str, str]]:
        return list(zip(self.value[::2], self.value[1::2])) if self.cmd == "ENV" else []

    def render(self) -> str:
        above = "".join(f"# {line}\n" for line in self.comment)
        return above + self._render()

    def _render(self) -> str:
        if self.cmd == "RUN" and not self.json:
            head = "RUN " + "".join(f"{flag} \\\n    " for flag in self.flags)
            if self.commands is not None:
                return head + " \\\n && ".join(self.commands)
            return head + (self.value[0] if self.value else "")
        return self.text


def env_line(pairs: list[tuple[str, str]]) -> str:
    """An ENV instruction for ``pairs``. BuildKit's parser hands values back as written (quotes
    included), so writing them back verbatim keeps both quoting and ``$PATH`` expansion."""
    return "ENV " + " ".join(f"{k}={v}" for k, v in pairs)


def replace_word(command: str, old: str, new: str) -> str:
    """Replace the first whitespace-delimited ``old`` in a shell command, leaving every other byte as
    written (re-quoting with shlex would turn a glob like /wheels/* into a literal)."""
    pattern = r"(?<!\S)" + re.escape(old) + r"(?!\S)"
    if not re.search(pattern, command):
        raise ValueError(f"{old!r} is not a word of {command!r}")
    return re.sub(pattern, lambda _: new, command, count=1)


def split_and_chain(script: str) -> list[str] | None:
    """Split a shell script on top-level ``&&``; None when quoting makes that unsafe to do by text."""
    parts, current, quote, i = [], [], None, 0
    while i < len(script):
        ch = script[i]
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"' and i + 1 < len(script):
                current.append(script[i + 1])
                i += 1
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch == "\\" and i + 1 < len(script):
            current.append(script[i:i + 2])
            i += 1
        elif script.startswith("&&", i):
            parts.append("".join(current).strip())
            current = []
            i += 1
        else:
            current.append(ch)
        i += 1
    if quote:
        return None
    parts.append("".join(current).strip())
    parts = [" ".join(p.split()) if "'" not in p and '"' not in p else p for p in parts]
    return [p for p in parts if p] or None


def new_stage(from_step: Step, steps: list[Step] | None = None, index: int = 0) -> Stage[Step]:
    """An editable stage; its base and parent are left to the Doc (``resolve``, ``stage_named``)."""
    return Stage(index, from_step, steps if steps is not None else [])


def from_step(base: str, name: str | None = None, flags: Sequence[str] = ()) -> Step:
    """``FROM [flags] base [AS name]`` as a step."""
    return Step.parse(" ".join(["FROM", *flags, base, *(["AS", name] if name else [])]))


def set_from(stage: Stage[Step], base: str, name: str | None = None, flags: list[str] | None = None) -> None:
    """Rewrite a stage's FROM, keeping its name and flags unless given."""
    name = name if name is not None else stage.name
    stage.from_instruction = from_step(base, name, flags if flags is not None else stage.from_instruction.flags)


@dataclass
class Doc:
    """A whole generated Dockerfile plus the files that travel with it."""

    preamble: list[Step]  # global ARGs before the first FROM
    stages: list[Stage[Step]]
    header: list[str] = field(default_factory=list)  # comment lines, without "# "
    dockerignore: str | None = None  # text of <Dockerfile>.dockerignore, when one is generated
    files: dict[str, str] = field(default_factory=dict)  # extra context files (constraints.txt)
    notes: dict[str, str] = field(default_factory=dict)  # facts transforms leave for later ones

    @classmethod
    def from_text(cls, text: str) -> "Doc":
        model = parse_text(text)
        preamble = [Step.from_instruction(i) for i in model.instructions if i.stage < 0]
        stages = [new_stage(Step.from_instruction(s.from_instruction),
                            [Step.from_instruction(i) for i in s.instructions], s.index) for s in model.stages]
        return cls(preamble, stages)

    def copy(self) -> "Doc":
        return copy.deepcopy(self)

    @property
    def final(self) -> Stage[Step]:
        return self.stages[-1]

    def stage_named(self, name: str) -> Stage[Step] | None:
        return next((s for s in self.stages if (s.name or "").lower() == name.lower()), None)

    def resolve(self, text: str) -> str:
        """``text`` with global ARG defaults substituted (what FROM lines mean with no --build-arg)."""
        return substitute(text, arg_values(item for step in self.preamble if step.cmd == "ARG" for item in step.value))

    def render(self) -> str:
        out = [f"# {line}" if line else "#" for line in self.header]
        out += [s.render() for s in self.preamble]
        for stage in self.stages:
            out.append("")
            out.append(stage.from_instruction.render())
            out += [s.render() for s in stage.instructions]
        return "\n".join(out).lstrip("\n") + "\n"
