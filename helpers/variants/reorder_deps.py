"""Copy the dependency manifests and install dependencies before any source is copied.

BuildKit reuses a layer only while every layer before it is unchanged, so an install that
follows ``COPY src/`` re-runs on every code edit (``pip wheel`` of the dependencies counts as an
install: it downloads and builds them the same way). The install is split in two: dependencies,
read from the manifests alone (requirements files, PEP 621 ``[project].dependencies``,
``uv.lock``, ``poetry.lock``), go before the source; the project's own package (``--no-deps``)
stays after it. Dependencies declared in ``setup.py`` cannot be read without running it: skip.
"""

from __future__ import annotations

import posixpath
import re

from helpers.dockerfile.model import Stage
from helpers.lint.knowledge import is_manifest
from helpers.lint.shell import pip_install, pip_wheel, program, simple_commands
from helpers.variants.doc import Doc, Step, replace_word
from helpers.variants.transform import Project, Skip

NAME = "reorder_deps"
FIXES = ("DO201",)
DEPS_FILE = "/tmp/deps.txt"
# The project's dependencies plus its build requirements (and wheel, which setuptools before 70.1
# needs to build one but does not declare): with those in the environment the package itself builds
# with --no-build-isolation, so a code edit does not re-download its build backend.
BUILD_REQUIRES = " + t.get('build-system', {}).get('requires', []) + ['wheel']"
TOML_DEPS = ("python -c \"import tomllib; t = tomllib.load(open('pyproject.toml', 'rb')); p = t['project']; "
             "print('\\n'.join(p.get('dependencies', []){extras}{build}))\" > "
             + DEPS_FILE)


def extras_expr(extras: list[str]) -> str:
    return "".join(f" + p.get('optional-dependencies', {{}}).get('{e}', [])" for e in extras)


def nested_requirement_files(project: Project, path: str, seen: set[str] | None = None) -> list[str]:
    """A requirements file plus every file it pulls in with -r/-c (they must be copied too)."""
    seen = seen if seen is not None else set()
    if path in seen:
        return []
    seen.add(path)
    found = [path]
    for line in (project.read(path) or "").splitlines():
        match = re.match(r"^\s*(?:-r|-c|--requirement|--constraint)[\s=]+(\S+)", line)
        if match:
            found += nested_requirement_files(project, posixpath.normpath(
                posixpath.join(posixpath.dirname(path), match.group(1))), seen)
    return found


class Split:
    """One install command split into a manifest-only part (deps) and a source part (project)."""

    def __init__(self, deps: list[str], project: list[str], manifests: list[str]):
        self.deps, self.project, self.manifests = deps, project, manifests


def replace_token(command: str, old: str, new: list[str]) -> str:
    return replace_word(command, old, " ".join(new))


def split_pip(command: str, project: Project) -> Split | None:
    argv = simple_commands(command)
    # `pip wheel -r` resolves and downloads the dependencies exactly as an install does
    call = (pip_install(argv[0]) or pip_wheel(argv[0])) if len(argv) == 1 else None
    if call is None:
        return None
    manifests = [m for f in call.requirement_files + call.constraint_files for m in nested_requirement_files(project, f)]
    if not call.local:
        return Split([command], [], manifests)
    if len(call.local) > 1 or not re.fullmatch(r"\.(\[[\w,-]+\])?", call.local[0]):
        raise Skip(f"`{command}` installs local paths other than the project root")
    if call.no_deps:
        return Split([], [command], [])
    meta = project.pyproject.get("project")
    if not meta:
        raise Skip("the project's dependencies are declared in setup.py (or not at all in pyproject.toml's "
                   "[project]): they can only be read by running it")
    if "dependencies" in meta.get("dynamic", []):
        raise Skip("pyproject.toml declares its dependencies dynamic: they cannot be read before the source")
    local = call.local[0]
    extras = re.findall(r"[\w-]+", local[1:])
    editable = "-e" in command.split() or "--editable" in command.split()
    deps_cmd = replace_token(command, local, ["-r", DEPS_FILE])
    if editable:
        deps_cmd = deps_cmd.replace(" -e ", " ").replace(" --editable ", " ")
    builds_with = (project.pyproject.get("build-system") or {}).get("requires")
    listing = TOML_DEPS.format(extras=extras_expr(extras), build=BUILD_REQUIRES if builds_with else "")
    deps = [listing, deps_cmd] if meta.get("dependencies") or extras or builds_with else []
    isolation = ["--no-build-isolation"] if builds_with else []
    project_cmd = replace_token(command, local, ["--no-deps", *isolation, local])
    return Split(deps, [project_cmd], ["pyproject.toml"] + manifests)


def split_locked(command: str, project: Project) -> Split | None:
    argv = simple_commands(command)
    if len(argv) != 1:
        return None
    exe, args = program(argv[0]), argv[0][1:]
    if exe == "uv" and args[:1] == ["sync"]:
        if "--no-install-project" in args:
            return Split([command], [], ["pyproject.toml", "uv.lock"])
        return Split([command + " --no-install-project"], [command], ["pyproject.toml", "uv.lock"])
    if exe == "poetry" and args[:1] == ["install"]:
        if "--no-root" in args:
            return Split([command], [], ["pyproject.toml", "poetry.lock"])
        return Split([command + " --no-root"], [command], ["pyproject.toml", "poetry.lock"])
    return None


def split_install(step: Step, project: Project) -> tuple[list[str], list[str], list[str]] | None:
    """(dependency commands, commands left in place, manifests needed) for a RUN; None if no install."""
    deps, rest, manifests, seen_install = [], [], [], False
    for command in step.commands:
        split = split_pip(command, project) or split_locked(command, project)
        if split is None:
            if not seen_install and not rest and any(program(a) == "cd" for a in simple_commands(command)):
                raise Skip(f"`{command}` changes directory before the install; cannot move it safely")
            rest.append(command)
            continue
        if split.deps and rest:
            raise Skip(f"`{rest[0]}` runs before the dependency install in the same RUN; moving it is unsafe")
        seen_install = True
        deps += split.deps
        rest += split.project
        manifests += [m for m in split.manifests if project.exists(m) and m not in manifests]
    return (deps, rest, manifests) if seen_install and deps else None


def package_dirs(project: Project, source_dir: str) -> list[str] | None:
    """The import packages under ``source_dir`` when they are a strict part of it (src/pkg of src/)."""
    if (project.pyproject.get("tool", {}).get("setuptools") or {}).get("py-modules"):
        return None
    base = source_dir.strip("/").removeprefix("./")
    entries = {f[len(base) + 1:].split("/", 1)[0] for f in project.files if f.startswith(base + "/")}
    packages = sorted(e for e in entries if project.exists(f"{base}/{e}/__init__.py"))
    if packages and set(packages) != entries:
        return [f"{base}/{p}" for p in packages]
    return None


def narrow_source(stage: Stage, copy: Step, project: Project) -> list[Step]:
    if len(copy.sources) != 1 or copy.sources[0] in (".", "./"):
        return [copy]
    packages = package_dirs(project, copy.sources[0])
    dest = copy.dest.rstrip("/")
    if not packages or dest.rstrip("/").split("/")[-1] != copy.sources[0].strip("/").split("/")[-1]:
        return [copy]
    prefix = dest[: len(dest) - len(copy.sources[0].strip("/"))]
    return [Step.parse(f"COPY {p} {prefix}{p}") for p in packages]


def reorder_stage(stage: Stage, project: Project) -> str | None:
    first_source = next((i for i, s in enumerate(stage.instructions) if s.is_context_copy
                         and not all(is_manifest(x) for x in s.sources)), None)
    if first_source is None:
        return None
    install_at = next((i for i, s in enumerate(stage.instructions) if i > first_source and s.cmd == "RUN"
                       and s.commands and split_install(s, project)), None)
    if install_at is None:
        return None
    copies = [i for i in range(install_at) if stage.instructions[i].is_context_copy]
    first_copy = copies[0]
    if stage.workdir_at(first_copy) != stage.workdir_at(install_at):
        raise Skip("WORKDIR changes between the first COPY and the install")
    install = stage.instructions[install_at]
    deps, rest, manifests = split_install(install, project)
    for i in copies:  # the manifests must land where the install reads them: cwd-relative, same path
        step = stage.instructions[i]
        if not any(s in (".", "./") or posixpath.normpath(s) in manifests for s in step.sources):
            continue
        if step.dest.rstrip("/") not in (".", stage.workdir_at(i).rstrip("/") or "/") and not step.dest.endswith("/"):
            raise Skip(f"`{step.text}` puts manifests somewhere this transform cannot follow")
    for i in copies:  # manifests the dependency layer needs leave the later COPYs
        step = stage.instructions[i]
        left = [s for s in step.sources if posixpath.normpath(s) not in manifests]
        if left != step.sources:
            stage.instructions[i] = Step.parse(" ".join(["COPY", *step.flags, *left, step.dest])) if left else None
    new = [Step.parse(f"COPY {' '.join(manifests)} ./")] if manifests else []
    new.append(Step.run(deps))
    if rest:
        install.commands = rest
        kept = [stage.instructions[i] for i in range(first_copy, install_at)]
        narrowed = []
        for step in kept:
            if step is None:
                continue
            narrowed += narrow_source(stage, step, project) if step.is_context_copy else [step]
        stage.instructions[first_copy:install_at] = new + narrowed
    else:
        stage.instructions[install_at] = None
        stage.instructions[first_copy:first_copy] = new
    stage.instructions[:] = [s for s in stage.instructions if s is not None]
    return f"{', '.join(manifests) or 'no manifest'} copied and dependencies installed before the source"


def apply(doc: Doc, project: Project) -> str:
    done = [d for stage in doc.stages if (d := reorder_stage(stage, project))]
    if not done:
        raise Skip("dependencies are already installed before any source is copied")
    return "; ".join(done)
