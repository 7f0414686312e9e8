"""Questions several rules ask of the model: which RUNs, which pip calls, what ENV is in force."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from helpers.dockerfile.model import Dockerfile, Instruction, Stage
from helpers.lint.shell import (
    PipInstall,
    is_installer_upgrade,
    pip_call,
    program,
    simple_commands,
)

TRUTHY = {"1", "true", "yes", "on"}


def runs(stages: Iterable[Stage]) -> Iterator[Instruction]:
    for stage in stages:
        yield from (i for i in stage.instructions if i.cmd == "RUN")


def pip_calls(instruction: Instruction) -> list[PipInstall]:
    """``pip install`` and ``pip wheel`` calls (``uv pip`` too: ``call.tool`` tells them apart)."""
    return [call for argv in simple_commands(instruction.script) if (call := pip_call(argv))]


def command_lines(model: Dockerfile, instruction: Instruction) -> list[tuple[list[str], int]]:
    """Each simple command of a RUN with the line it starts on, so that a finding about one command of
    a continued RUN points at that command's line (BuildKit joins the lines; this finds them again).

    Commands are located in order, each after the previous one, by their program word as a whole
    token on a non-comment line; one that cannot be located gets the instruction's first line.
    """
    cache = model.derived.setdefault("command_lines", {})
    key = (instruction.stage, instruction.start_line)
    if key not in cache:
        lines = model.lines[instruction.start_line - 1: instruction.end_line] or [""]
        cursor, located = (0, len(instruction.cmd)), []
        for argv in simple_commands(instruction.script):
            hit = _find(lines, cursor, lambda text, at, w=argv[0]: _word(text, w, at))
            if hit is None:
                located.append((argv, instruction.start_line))
                continue
            located.append((argv, instruction.start_line + hit[0]))
            cursor = hit
            for token in argv[1:]:  # step over this command's arguments: `pip install -U pip` is one command
                cursor = _find(lines, cursor, lambda text, at, t=token: _Span(text.find(t, at), len(t))) or cursor
        cache[key] = located
    return cache[key]


BEFORE_WORD = frozenset(" \t;&|(`")
AFTER_WORD = frozenset(" \t;&|)`\\")


def _word(text: str, word: str, at: int) -> _Span:
    """``word`` as a whole shell token in ``text`` from ``at`` (str.find: no regex to compile per word)."""
    start = text.find(word, at)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or text[start - 1] in BEFORE_WORD) and (end == len(text) or text[end] in AFTER_WORD):
            return _Span(start, len(word))
        start = text.find(word, start + 1)
    return _Span(-1, 0)


class _Span:
    def __init__(self, start: int, length: int) -> None:
        self.start, self.length = start, length

    def __bool__(self) -> bool:
        return self.start >= 0

    def end(self) -> int:
        return self.start + self.length


def _find(lines: list[str], cursor: tuple[int, int], search) -> tuple[int, int] | None:
    """(row, column after the match) of the first match at or after ``cursor``, comment lines skipped."""
    row, col = cursor
    for index in range(row, len(lines)):
        if index > row and lines[index].lstrip().startswith("#"):
            continue
        match = search(lines[index], col if index == row else 0)
        if match:
            return index, match.end()
    return None


def line_of(model: Dockerfile, instruction: Instruction, wanted: Callable[[list[str]], object]) -> int:
    """The line of the first command of ``instruction`` for which ``wanted(argv)`` is true, else its first line."""
    return next((line for argv, line in command_lines(model, instruction) if wanted(argv)), instruction.start_line)


def pip_calls_at(model: Dockerfile, instruction: Instruction) -> list[tuple[PipInstall, int]]:
    """:func:`pip_calls` with the line each call starts on."""
    return [(call, line) for argv, line in command_lines(model, instruction) if (call := pip_call(argv))]


def installs_dependencies(call: PipInstall) -> bool:
    """False for ``pip install --no-deps .`` (it builds the local package and fetches nothing) and for
    ``pip install -U pip setuptools wheel`` (it upgrades the installer, no application dependency)."""
    if is_installer_upgrade(call):
        return False
    return not call.no_deps or bool(call.requirements or call.requirement_files)


def env_before(model: Dockerfile, instruction: Instruction) -> dict[str, tuple[str, int]]:
    """ENV values (with their line) in force when ``instruction`` runs, inherited through FROM <stage>."""
    index = model.derived.get("env_before")
    if index is None:
        index = model.derived["env_before"] = _env_index(model)
    return index.get((instruction.stage, instruction.start_line), {})


def _env_index(model: Dockerfile) -> dict[tuple[int, int], dict[str, tuple[str, int]]]:
    """One pass over all stages (linear, so a 10,000-line file stays fast)."""
    index: dict[tuple[int, int], dict[str, tuple[str, int]]] = {}
    at_end: dict[int, dict[str, tuple[str, int]]] = {}
    for stage in model.stages:
        env = dict(at_end.get(stage.parent, {})) if stage.parent is not None else {}
        for item in stage.instructions:
            if item.cmd == "ENV":
                env = {**env, **{k: (v, item.start_line) for k, v in zip(item.value[::2], item.value[1::2])}}
            index[(stage.index, item.start_line)] = env  # shared until the next ENV: never mutated
        at_end[stage.index] = env
    return index


def env_flag(model: Dockerfile, instruction: Instruction, name: str) -> int | None:
    """The line of a truthy ``ENV name=...`` in force at ``instruction``, else None."""
    value = env_before(model, instruction).get(name)
    return value[1] if value and value[0].strip().lower() in TRUTHY else None


OS_INSTALLERS = {"apt-get": "install", "apt": "install", "aptitude": "install", "apk": "add",
                 "dnf": "install", "yum": "install", "microdnf": "install", "zypper": "install"}


def os_packages(instruction: Instruction) -> list[str]:
    """Distribution packages a RUN installs (apt, apk, dnf/yum, zypper)."""
    return [p for argv in simple_commands(instruction.script) for p in os_install(argv)]


def os_install(argv: list[str]) -> list[str]:
    """The packages of one ``apt-get install`` / ``apk add`` / ... command; [] for any other command."""
    packages: list[str] = []
    verb = OS_INSTALLERS.get(program(argv))
    if verb and verb in argv[1:]:
        after = argv[argv.index(verb) + 1:]
        skip_next = False
        for arg in after:
            if skip_next:
                skip_next = False
            elif arg in ("-t", "--target-release", "-o", "--option", "--virtual"):
                skip_next = True
            elif not arg.startswith("-") and arg not in (">", ">>", "<"):
                packages.append(arg)
    return packages


def removes_packages(instruction: Instruction) -> bool:
    """Whether the same RUN purges what it installed (apt-get purge/autoremove, apk del)."""
    for argv in simple_commands(instruction.script):
        exe = program(argv)
        if exe in ("apt-get", "apt") and {"purge", "remove", "autoremove"} & set(argv[1:]):
            return True
        if exe == "apk" and "del" in argv[1:]:
            return True
        if exe in ("dnf", "yum") and {"remove", "erase", "autoremove"} & set(argv[1:]):
            return True
    return False
