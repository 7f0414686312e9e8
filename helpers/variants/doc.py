"""An editable Dockerfile: what transforms rewrite, rendered back to text.

The lint model (:mod:`helpers.dockerfile.model`) is read-only and keyed to line numbers of the
original file; transforms need to insert, move and rewrite instructions. So a generated
Dockerfile is held as stages of :class:`Step`, each built from the lint model's parse of
that instruction, and every new step is parsed the same way (``Step.parse``), which keeps
flags and values exactly as BuildKit will read them.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from helpers.dockerfile.model import Instruction, parse_text


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


@dataclass
class Stage:
    from_step: Step
    steps: list[Step] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.from_step.value[0] if self.from_step.value else ""

    @property
    def name(self) -> str | None:
        value = self.from_step.value
        return value[2] if len(value) >= 3 and value[1].lower() == "as" else None

    def set_from(self, base: str, name: str | None = None, flags: list[str] | None = None) -> None:
        name = name if name is not None else self.name
        flags = flags if flags is not None else [f for f in self.from_step.flags]
        head = " ".join(["FROM", *flags, base])
        self.from_step = Step.parse(head + (f" AS {name}" if name else ""))

    def index_of(self, step: Step) -> int:
        return next(i for i, s in enumerate(self.steps) if s is step)

    def workdir_at(self, index: int) -> str:
        """The WORKDIR in force before ``steps[index]`` (absolute paths only; "/" when unset)."""
        workdir = "/"
        for step in self.steps[:index]:
            if step.cmd == "WORKDIR" and step.value:
                path = step.value[0]
                workdir = path if path.startswith("/") else workdir.rstrip("/") + "/" + path
        return workdir


@dataclass
class Doc:
    """A whole generated Dockerfile plus the files that travel with it."""

    preamble: list[Step]  # global ARGs before the first FROM
    stages: list[Stage]
    header: list[str] = field(default_factory=list)  # comment lines, without "# "
    dockerignore: str | None = None  # text of <Dockerfile>.dockerignore, when one is generated
    files: dict[str, str] = field(default_factory=dict)  # extra context files (constraints.txt)
    notes: dict[str, str] = field(default_factory=dict)  # facts transforms leave for later ones

    @classmethod
    def from_text(cls, text: str) -> "Doc":
        model = parse_text(text)
        preamble = [Step.from_instruction(i) for i in model.instructions if i.stage < 0]
        stages = []
        for stage in model.stages:
            from_ins = next(i for i in model.instructions if i.cmd == "FROM" and i.stage == stage.index)
            stages.append(Stage(Step.from_instruction(from_ins),
                                [Step.from_instruction(i) for i in stage.instructions]))
        return cls(preamble, stages)

    def copy(self) -> "Doc":
        return copy.deepcopy(self)

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def stage_named(self, name: str) -> Stage | None:
        return next((s for s in self.stages if (s.name or "").lower() == name.lower()), None)

    def arg_default(self, name: str) -> str | None:
        for step in self.preamble:
            for item in step.value:
                key, eq, val = item.partition("=")
                if key == name and eq:
                    return val
        return None

    def resolve(self, text: str) -> str:
        """``text`` with global ARG defaults substituted (what FROM lines mean with no --build-arg)."""
        from helpers.dockerfile.model import substitute

        args = {}
        for step in self.preamble:
            for item in step.value:
                key, eq, val = item.partition("=")
                args[key] = val if eq else None
        return substitute(text, args)

    def render(self) -> str:
        out = [f"# {line}" if line else "#" for line in self.header]
        out += [s.render() for s in self.preamble]
        for stage in self.stages:
            out.append("")
            out.append(stage.from_step.render())
            out += [s.render() for s in stage.steps]
        return "\n".join(out).lstrip("\n") + "\n"
