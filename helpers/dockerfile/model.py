"""The one model of a Dockerfile: instructions, stages, and what the parser could not accept.

Every reader works on it: the lint rules, the measurement and security checks (through
:mod:`helpers.dockerfile.history_match`), the build's step numbering
(:mod:`helpers.dockerfile.steps`) and the transforms' editable view (:mod:`helpers.variants.doc`).

Parsing is BuildKit's own (the ``dockerfile`` package wraps moby/buildkit's parser), so line
ranges, continuations, ``# escape=`` and heredocs mean what they mean to ``docker build``.
On top of it this module adds what the parser leaves to the builder: stages and their
lineage, ``ARG`` substitution in ``FROM``, parser directives, comments (for pragmas), and a
list of problems the target engine would reject. Whole-file failures raise
:class:`DockerfileError` naming the file and, where known, the line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import dockerfile as buildkit_parser

from helpers.dockerfile.arguments import arg_values, substitute
from helpers.errors import DockoptError

KNOWN_INSTRUCTIONS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
# Instructions that BuildKit's Dockerfile frontend turns into build vertices (FROM is always one).
VERTEX_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD", "WORKDIR"})
MAX_LINE_BYTES = 65535  # BuildKit's scanner refuses longer lines
MAX_FILE_BYTES = 16 * 1024 * 1024  # far beyond any real Dockerfile; bounds time and memory
DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$")


class DockerfileError(DockoptError):
    """The file cannot be read as a Dockerfile at all (no instructions to lint)."""


@dataclass(frozen=True)
class Problem:
    """Something the target engine would reject or mishandle, found while building the model."""

    kind: str  # unknown-instruction, before-from, empty-from, heredoc, syntax-directive
    line: int
    message: str


@dataclass(frozen=True)
class Instruction:
    cmd: str  # upper-case keyword as BuildKit dispatches it
    flags: tuple[str, ...]
    value: tuple[str, ...]
    original: str
    start_line: int
    end_line: int
    json: bool = False
    sub_cmd: str | None = None  # the instruction wrapped by ONBUILD
    heredocs: tuple[str, ...] = ()
    stage: int = -1  # index of the stage it belongs to; -1 for global ARGs before the first FROM

    def flag(self, name: str) -> str | None:
        """The value of ``--name=value`` (last one wins, as BuildKit's flag parser does)."""
        found = None
        for raw in self.flags:
            key, _, val = raw.lstrip("-").partition("=")
            if key.lower() == name:
                found = val
        return found

    def flag_values(self, name: str) -> list[str]:
        return [raw.partition("=")[2] for raw in self.flags if raw.lstrip("-").partition("=")[0].lower() == name]

    def mounts(self) -> list[dict[str, str]]:
        """RUN ``--mount`` options as dicts (``type`` defaults to bind, as in BuildKit)."""
        parsed = []
        for spec in self.flag_values("mount"):
            opts = {"type": "bind"}
            for part in spec.split(","):
                key, _, val = part.partition("=")
                opts[key.strip().lower()] = val.strip()
            if "dst" in opts or "destination" in opts:
                opts.setdefault("target", opts.get("dst") or opts.get("destination", ""))
            parsed.append(opts)
        return parsed

    def cache_mount_targets(self) -> list[str]:
        return [m.get("target", "") for m in self.mounts() if m.get("type") == "cache"]

    @property
    def printed(self) -> str:
        """The instruction on one line as BuildKit's progress prints it (keyword upper case, lines joined)."""
        return " ".join((self.cmd, *self.original.split()[1:]))

    @property
    def script(self) -> str:
        """The shell text a RUN executes (heredoc bodies included), for the shell-level rules."""
        if self.json:
            return " ".join(self.value)
        return "\n".join((" ".join(self.value), *self.heredocs))

    @property
    def is_context_copy(self) -> bool:
        """COPY/ADD from the build context (not ``--from`` another stage or image, not a heredoc)."""
        return self.cmd in ("COPY", "ADD") and self.flag("from") is None and not self.heredocs

    @property
    def copy_sources(self) -> list[str]:
        """Context paths a COPY/ADD reads (ADD's URLs and git refs are not in the context)."""
        if self.cmd not in ("COPY", "ADD"):
            return []
        return [s for s in self.value[:-1] if "://" not in s and not s.startswith("git@")]


# What a stage holds: the parser's read-only Instruction, or the editable Step of helpers.variants.doc.
I = TypeVar("I")


@dataclass
class Stage(Generic[I]):
    """A FROM and the instructions after it (FROM itself is ``from_instruction``, not in ``instructions``).

    Name, base and platform are read from the FROM instruction, so an edited FROM changes them.
    ``base`` and ``parent`` need the whole file (ARG values, earlier stages' names): the parser
    fills them; an editable view leaves them None and resolves through its document.
    """

    index: int
    from_instruction: I
    instructions: list[I] = field(default_factory=list)
    base: str | None = None  # base_raw with ARG references substituted where a value is known
    parent: int | None = None  # index of the earlier stage this one is built FROM, if any

    @property
    def name(self) -> str | None:
        """The ``AS name``, as written."""
        value = self.from_instruction.value
        return value[2] if len(value) >= 3 and value[1].lower() == "as" else None

    @property
    def base_raw(self) -> str:
        """The image or stage after FROM, as written."""
        return self.from_instruction.value[0] if self.from_instruction.value else ""

    @property
    def platform(self) -> str | None:
        return next((f.partition("=")[2] for f in self.from_instruction.flags if f.lower().startswith("--platform=")),
                    None)

    @property
    def from_line(self) -> int:
        return self.from_instruction.start_line

    @property
    def label(self) -> str:
        """How messages name the stage: 'builder', or '#0' when it has no name."""
        return repr(self.name) if self.name else f"#{self.index}"

    @property
    def is_scratch(self) -> bool:
        return (self.base or "").lower() == "scratch"

    @property
    def base_unresolved(self) -> bool:
        return "$" in (self.base or "")

    @property
    def vertex_steps(self) -> list[I]:
        """The instructions BuildKit numbers 1..n in ``[stage i/n]``: FROM and those that make a vertex."""
        return [self.from_instruction, *(i for i in self.instructions if i.cmd in VERTEX_INSTRUCTIONS)]

    def index_of(self, instruction: I) -> int:
        """Position of this very instruction (by identity: equal texts may repeat)."""
        return next(i for i, s in enumerate(self.instructions) if s is instruction)

    def workdir_at(self, index: int) -> str:
        """The WORKDIR in force before ``instructions[index]`` (absolute paths only; "/" when unset)."""
        workdir = "/"
        for item in self.instructions[:index]:
            if item.cmd == "WORKDIR" and item.value:
                path = item.value[0]
                workdir = path if path.startswith("/") else workdir.rstrip("/") + "/" + path
        return workdir


@dataclass
class Dockerfile:
    path: Path | None
    lines: list[str]
    instructions: list[Instruction]
    stages: list[Stage]
    global_args: dict[str, str | None]
    directives: dict[str, tuple[int, str]]  # parser directives: name -> (line, value)
    comments: list[tuple[int, str]]  # (line, text) of every comment line
    problems: list[Problem]
    derived: dict = field(default_factory=dict, repr=False, compare=False)  # rules' shared lookups

    @property
    def display_name(self) -> str:
        return str(self.path) if self.path else "Dockerfile"

    @property
    def final(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def lineage(self, stage: Stage) -> list[Stage]:
        """The stage and the stages it is built FROM, nearest first: whose layers it contains."""
        chain = [stage]
        while chain[-1].parent is not None and len(chain) <= len(self.stages):
            chain.append(self.stages[chain[-1].parent])
        return chain

    def final_lineage(self) -> list[Stage]:
        """The stages whose layers end up in the final image."""
        return self.lineage(self.final) if self.final else []

    def image_instructions(self) -> list[Instruction]:
        """Instructions whose layers or settings the final image carries, in build order."""
        return [i for stage in reversed(self.final_lineage()) for i in stage.instructions]

    def stage_named(self, name: str) -> Stage | None:
        """The stage an ``AS name``, a build target or a FROM reference means (names ignore case)."""
        return next((s for s in self.stages if s.name and s.name.lower() == name.lower()), None)


def _decode(path: str, data: bytes) -> str:
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise DockerfileError(f"{path}:{line}: not a text file (NUL byte)",
                              hint="point dockopt at a Dockerfile, not a binary")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DockerfileError(f"{path}:{line}: not UTF-8 text ({exc.reason})",
                              hint="save the Dockerfile as UTF-8") from exc
    return text.removeprefix("\ufeff")


def _check_lines(path: str, text: str) -> list[str]:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DockerfileError(f"{path}:{line}: not a text file (NUL byte)",
                              hint="point dockopt at a Dockerfile, not a binary")
    lines = [line.rstrip("\r") for line in text.split("\n")]  # BuildKit counts "\n" only
    for number, line in enumerate(lines, start=1):
        if len(line.encode("utf-8")) >= MAX_LINE_BYTES:
            raise DockerfileError(f"{path}:{number}: line is {len(line.encode())} bytes; BuildKit reads at most "
                                  f"{MAX_LINE_BYTES - 1}", hint="split it with `\\` continuations")
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        raise DockerfileError(f"{path}: no instructions (the file is empty or only comments)",
                              hint="a Dockerfile needs at least a FROM")
    return lines


def _directives(lines: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(lines, start=1):
        match = DIRECTIVE.match(line)
        if not match:
            break  # directives only count before the first comment, blank line or instruction
        found.setdefault(match.group(1).lower(), (number, match.group(2)))
    return found


def _parse_error_line(message: str, lines: list[str]) -> int | None:
    if "heredoc" in message:
        marks = [n for n, line in enumerate(lines, start=1) if "<<" in line]
        return marks[-1] if marks else None
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _instruction(cmd: buildkit_parser.Command, stage: int) -> Instruction:
    return Instruction(
        cmd=cmd.cmd.upper(), flags=tuple(cmd.flags), value=tuple(cmd.value), original=cmd.original or "",
        start_line=cmd.start_line, end_line=cmd.end_line, json=cmd.json,
        sub_cmd=cmd.sub_cmd.upper() if cmd.sub_cmd else None,
        heredocs=tuple(h.content for h in cmd.heredocs), stage=stage,
    )


def parse_text(text: str, path: str | os.PathLike | None = None,
               build_args: dict[str, str] | None = None) -> Dockerfile:
    """Build the model from Dockerfile text; ``build_args`` play ``--build-arg`` for FROM.

    Raises:
        DockerfileError: the text has no instructions or BuildKit's parser rejects it.
    """
    name = str(path) if path else "Dockerfile"
    lines = _check_lines(name, text)
    try:
        commands = buildkit_parser.parse_string(text if text.endswith("\n") else text + "\n")
    except buildkit_parser.GoParseError as exc:
        line = _parse_error_line(str(exc), lines)
        where = f"{name}:{line}" if line else name
        raise DockerfileError(f"{where}: BuildKit's parser rejects this file: {exc}",
                              hint="fix the syntax at that line") from exc
    except UnicodeDecodeError as exc:  # the parser cut a multi-byte character in its reply
        line = _undecodable_line(lines)
        where = f"{name}:{line}" if line else name
        raise DockerfileError(f"{where}: BuildKit's parser cannot read the non-ASCII text in this instruction",
                              hint="check that line's keyword and arguments (e.g. HEALTHCHECK needs CMD or NONE)") from exc
    model = Dockerfile(Path(path) if path else None, lines, [], [], {}, _directives(lines),
                       [(n, l.strip()) for n, l in enumerate(lines, start=1) if l.lstrip().startswith("#")], [])
    _build_stages(model, commands, dict(build_args or {}))
    _note_unsupported(model)
    return model


def _undecodable_line(lines: list[str]) -> int | None:
    """The first line the parser cannot return as text when given on its own."""
    for number, line in enumerate(lines, start=1):
        try:
            buildkit_parser.parse_string(line + "\n")
        except UnicodeDecodeError:
            return number
        except buildkit_parser.GoParseError:
            continue
    return None


def parse_or_none(text: str, build_args: dict[str, str] | None = None) -> Dockerfile | None:
    """:func:`parse_text`, or None where it would raise: for readers that must tolerate any file."""
    try:
        return parse_text(text, build_args=build_args)
    except DockerfileError:
        return None


def _build_stages(model: Dockerfile, commands, build_args: dict[str, str]) -> None:
    names: dict[str, int] = {}
    for cmd in commands:
        if not cmd.cmd:  # e.g. a lone "\\": the parser yields a node with no keyword
            model.problems.append(Problem("unknown-instruction", cmd.start_line, "a line with no instruction"))
            continue
        keyword = cmd.cmd.upper()
        stage_index = len(model.stages) - 1
        if keyword not in KNOWN_INSTRUCTIONS:
            model.problems.append(Problem("unknown-instruction", cmd.start_line,
                                          f"unknown instruction {cmd.cmd!r}"))
            continue
        if keyword == "FROM":
            model.stages.append(_stage(model, _instruction(cmd, stage_index + 1), names, build_args))
            if model.stages[-1].name:
                names[model.stages[-1].name.lower()] = model.stages[-1].index
            model.instructions.append(model.stages[-1].from_instruction)
            continue
        if stage_index < 0:
            if keyword == "ARG":
                for key, value in arg_values(cmd.value).items():
                    model.global_args[key] = build_args.get(key, value)
            else:
                model.problems.append(Problem("before-from", cmd.start_line,
                                              f"{keyword} before the first FROM (only ARG may come first)"))
            model.instructions.append(_instruction(cmd, -1))
            continue
        instruction = _instruction(cmd, stage_index)
        model.instructions.append(instruction)
        model.stages[stage_index].instructions.append(instruction)
    if not model.stages:
        line = model.instructions[0].start_line if model.instructions else 1
        model.problems.append(Problem("no-from", line, "no FROM: nothing to build"))


def _stage(model: Dockerfile, from_instruction: Instruction, names: dict[str, int],
           build_args: dict[str, str]) -> Stage[Instruction]:
    stage = Stage(from_instruction.stage, from_instruction)
    if not from_instruction.value:
        model.problems.append(Problem("empty-from", from_instruction.start_line, "FROM without an image"))
    stage.base = substitute(stage.base_raw, {**model.global_args, **build_args})
    stage.parent = names.get(stage.base.lower())
    return stage


def _note_unsupported(model: Dockerfile) -> None:
    if "syntax" in model.directives:
        line, value = model.directives["syntax"]
        model.problems.append(Problem("syntax-directive", line,
                                      f"`# syntax={value}` makes BuildKit pull that frontend image"))
    for instruction in model.instructions:
        if instruction.heredocs:
            model.problems.append(Problem("heredoc", instruction.start_line,
                                          f"{instruction.cmd} uses a heredoc"))


def parse_dockerfile(path: str | os.PathLike, build_args: dict[str, str] | None = None) -> Dockerfile:
    """Read and model a Dockerfile on disk.

    Raises:
        DockerfileError: unreadable, binary, not UTF-8, too large, empty, or rejected by the parser.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise DockerfileError(f"{path} is a directory, not a Dockerfile",
                                  hint=f"pass {path / 'Dockerfile'} or the file's own path")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DockerfileError(f"{path}: {size} bytes is not a Dockerfile (limit {MAX_FILE_BYTES})")
        data = path.read_bytes()
    except OSError as exc:
        raise DockerfileError(f"{path}: cannot read the Dockerfile ({exc.strerror})",
                              hint="check the path and its permissions") from exc
    return parse_text(_decode(str(path), data), path, build_args)
