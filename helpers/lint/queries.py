"""Questions several rules ask of the model: which RUNs, which pip calls, what ENV is in force."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from helpers.dockerfile import Dockerfile, Instruction, Stage
from helpers.lint.shell import PipInstall, pip_install, program, simple_commands

TRUTHY = {"1", "true", "yes", "on"}


def runs(stages: Iterable[Stage]) -> Iterator[Instruction]:
    for stage in stages:
        yield from (i for i in stage.instructions if i.cmd == "RUN")


def pip_calls(instruction: Instruction) -> list[PipInstall]:
    return [call for argv in simple_commands(instruction.script) if (call := pip_install(argv))]


def installs_dependencies(call: PipInstall) -> bool:
    """False for ``pip install --no-deps .``: it builds the local package and fetches nothing."""
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
    packages: list[str] = []
    for argv in simple_commands(instruction.script):
        verb = OS_INSTALLERS.get(program(argv))
        if verb and verb in argv[1:]:
            after = argv[argv.index(verb) + 1:]
            skip_next = False
            for arg in after:
                if skip_next:
                    skip_next = False
                elif arg in ("-t", "--target-release", "-o", "--option", "--virtual", "-t"):
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
