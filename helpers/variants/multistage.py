"""Split a single-stage build into a named ``builder`` and a ``runtime`` that gets only results.

The builder keeps every step up to the last Python install, with dependencies installed into a
virtualenv (/opt/venv) and the project's own package, when installed with ``--no-deps``, into
/opt/pkg: separate layers, so a change to the package re-copies only itself. The runtime starts
again from the same base and receives the virtualenv, the package, the app files and the
settings. Its apt steps are copied as they were; ``drop_build_tools`` then removes compilers.
"""

from __future__ import annotations

import copy

from helpers.lint.knowledge import is_manifest
from helpers.lint.shell import pip_install, program, simple_commands
from helpers.variants import apt_hygiene, venvs
from helpers.dockerfile.model import Stage
from helpers.variants.doc import Doc, Step, env_line, from_step, new_stage, replace_word
from helpers.variants.python_installs import PKG, VENV, installs_dependencies, installs_python, unfollowable
from helpers.variants.transform import Project, Skip

NAME = "multistage"
FIXES = ("DO102", "DO101")
METADATA = {"CMD", "ENTRYPOINT", "EXPOSE", "HEALTHCHECK", "LABEL", "VOLUME", "STOPSIGNAL"}
BUILD_ONLY_ENV = ("PIP_", "UV_", "POETRY_", "DEBIAN_FRONTEND", "VIRTUAL_ENV")
# Nothing installs at run time (every install is in the builder), so the runtime's venv needs no pip.
DROP_PIP = f"{VENV}/bin/python -m pip uninstall -y pip wheel"
RUNTIME_SETUP = {"useradd", "adduser", "groupadd", "addgroup", "mkdir", "chown", "chmod", "ln"}


def check_followable(stage: Stage) -> None:
    for step in stage.instructions:
        reason = unfollowable(step)
        if reason:
            raise Skip(reason)
        if step.cmd == "RUN" and installs_python(step) and step.commands is None:
            raise Skip(f"`{step.script[:60]}` is not a plain && chain this transform can follow")
        if step.cmd == "RUN" and any(program(a) == "poetry" and "install" in a for a in simple_commands(step.script)):
            raise Skip("`poetry install` without `poetry export`: poetry picks its own virtualenv, "
                       "which this transform cannot move reliably")


def to_pkg(step: Step) -> bool:
    """Send a non-editable ``pip install --no-deps .`` to /opt/pkg; True when it did."""
    changed = False
    for i, command in enumerate(step.commands):
        calls = [pip_install(a) for a in simple_commands(command)]
        call = calls[0] if len(calls) == 1 else None
        if call and call.no_deps and call.local and "-e" not in call.argv and "--editable" not in call.argv:
            step.commands[i] = replace_word(command, call.local[0], f"--target {PKG} {call.local[0]}")
            changed = True
    return changed


def runtime_env(steps: list[Step]) -> list[Step]:
    kept = []
    for step in steps:
        if step.cmd == "ENV":
            pairs = [(k, v) for k, v in step.env_pairs() if not k.startswith(BUILD_ONLY_ENV)]
            if pairs:
                kept.append(Step.parse(env_line(pairs)))
        elif step.cmd == "ARG":
            kept.append(copy.deepcopy(step))
    return kept


def runtime_setup(step: Step) -> bool:
    if step.cmd != "RUN" or step.commands is None:
        return False
    return all(program(a) in RUNTIME_SETUP for a in simple_commands(step.script))


def apply(doc: Doc, project: Project) -> str:
    if len(doc.stages) > 1:
        raise Skip("already multi-stage: its own builder/runtime split is kept as written")
    stage = doc.stages[0]
    check_followable(stage)
    installs = [i for i, s in enumerate(stage.instructions) if installs_python(s)]
    dep_installs = [i for i in installs if installs_dependencies(stage.instructions[i])]
    if not dep_installs:
        raise Skip("no Python dependency install found to move into a builder stage")
    last = installs[-1]
    if any(s.cmd == "USER" for s in stage.instructions[:last]):
        raise Skip("USER is set before dependencies are installed; which files that user needs is unknown")
    build_part, run_part = stage.instructions[: last + 1], stage.instructions[last + 1:]
    own = list(venvs.creators(new_stage(stage.from_instruction, build_part)))
    if own:
        return split_around_own_venv(doc, stage, build_part, run_part, own[-1])
    uses_pkg = any(to_pkg(s) for s in build_part if s.cmd == "RUN" and s.commands)
    uses_uv = any(program(a) == "uv" for s in build_part if s.cmd == "RUN" for a in simple_commands(s.script))
    venv_env = f"ENV VIRTUAL_ENV={VENV} PATH={VENV}/bin:$PATH" + (f" UV_PROJECT_ENVIRONMENT={VENV}" if uses_uv else "")
    at = dep_installs[0]
    first_copy = next((i for i, s in enumerate(build_part) if s.is_context_copy), at)
    at = min(at, first_copy)  # the venv layer then survives manifest edits
    builder_steps = [s for s in build_part[:at] if s.cmd not in METADATA]
    builder_steps += [Step.parse(venv_env), Step.run([f"python3 -m venv {VENV}"])]
    builder_steps += [s for s in build_part[at:] if s.cmd not in METADATA]
    pip_dropped = not uses_uv and builder_steps[-1].cmd == "RUN" and bool(builder_steps[-1].commands)
    if pip_dropped:
        # uv sync keeps the venv exact (no pip); elsewhere pip is needed to build, never to run
        builder_steps[-1].commands = builder_steps[-1].commands + [DROP_PIP]
    workdir = stage.workdir_at(last + 1)

    runtime: list[Step] = runtime_env(build_part)
    path = f"{PKG}/bin:{VENV}/bin:$PATH" if uses_pkg else f"{VENV}/bin:$PATH"
    runtime.append(Step.parse(f"ENV VIRTUAL_ENV={VENV} PATH={path}" + (f" PYTHONPATH={PKG}" if uses_pkg else "")))
    runtime += [copy.deepcopy(s) for s in build_part if apt_hygiene.apt_run(s) or runtime_setup(s)]
    runtime.append(Step.parse(f"COPY --from=builder {VENV} {VENV}"))
    if uses_pkg:
        runtime.append(Step.parse(f"COPY --from=builder {PKG} {PKG}"))
    if workdir != "/":
        runtime.append(Step.parse(f"WORKDIR {workdir}"))
    covers_all = any(s.is_context_copy and s.sources in (["."], ["./"]) for s in run_part)
    if not covers_all:  # app files copied before the install that the runtime still needs
        runtime += [copy.deepcopy(s) for s in build_part if s.is_context_copy and not all(is_manifest(x) for x in s.sources)
                    and not (uses_pkg and package_source(s, build_part) and s.sources not in (["."], ["./"]))]
    runtime += [s for s in build_part if s.cmd in METADATA]
    runtime += run_part
    builder = new_stage(from_step(stage.base_raw, "builder", stage.from_instruction.flags), builder_steps)
    final = new_stage(from_step(stage.base_raw, "runtime", stage.from_instruction.flags), runtime, 1)
    doc.stages = [builder, final]
    doc.notes["multistage"] = "pkg" if uses_pkg else "venv"
    moved = f"{VENV}" + (f" and {PKG}" if uses_pkg else "")
    after = " (pip removed after)" if pip_dropped else ""
    return f"builder stage installs into {moved}{after}; runtime stage receives them and the app files"


def split_around_own_venv(doc: Doc, stage: Stage, build_part: list[Step], run_part: list[Step], venv: str) -> str:
    """The project makes its own virtualenv (``python -m venv venv``, activated by its entrypoint):
    the builder installs into it as written and the runtime receives it at the same path (a
    virtualenv's scripts name their own path), untouched, pip included."""
    workdir = stage.workdir_at(len(build_part))
    runtime: list[Step] = runtime_env(build_part)
    runtime += [copy.deepcopy(s) for s in build_part if apt_hygiene.apt_run(s) or runtime_setup(s)]
    runtime.append(Step.parse(f"COPY --from=builder {venv} {venv}"))
    if workdir != "/":
        runtime.append(Step.parse(f"WORKDIR {workdir}"))
    covers_all = any(s.is_context_copy and s.sources in (["."], ["./"]) for s in run_part)
    if not covers_all:
        runtime += [copy.deepcopy(s) for s in build_part
                    if s.is_context_copy and not all(is_manifest(x) for x in s.sources)]
    runtime += [s for s in build_part if s.cmd in METADATA]
    runtime += run_part
    builder = new_stage(from_step(stage.base_raw, "builder", stage.from_instruction.flags),
                        [s for s in build_part if s.cmd not in METADATA])
    final = new_stage(from_step(stage.base_raw, "runtime", stage.from_instruction.flags), runtime, 1)
    doc.stages = [builder, final]
    doc.notes["multistage"] = "venv"
    return (f"builder stage installs into the project's own virtualenv {venv}, as written; the runtime stage "
            "receives it at the same path and the app files")


def package_source(copy: Step, build_part: list[Step]) -> bool:
    """A COPY whose next RUN builds the project into /opt/pkg: the runtime gets the package, not its source."""
    index = next(i for i, s in enumerate(build_part) if s is copy)
    next_run = next((s for s in build_part[index + 1:] if s.cmd == "RUN"), None)
    return next_run is not None and f"--target {PKG}" in next_run.script
