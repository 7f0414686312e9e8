"""What a RUN installs into Python, shared by the transforms that move, cache or pin installs."""

from __future__ import annotations

import re

from helpers.lint.shell import pip_install, program, simple_commands
from helpers.variants.doc import Step

TOOLING = {"pip", "setuptools", "wheel", "uv", "poetry", "pip-tools", "pipenv", "build"}
VENV = "/opt/venv"
PKG = "/opt/pkg"
CURL_PIPE_SH = re.compile(r"\b(curl|wget)\b[^|]*\|\s*(sudo\s+)?(sh|bash|python3?)\b")
UNFOLLOWABLE = (("conda", "conda/mamba manage their own environments"),
                ("mamba", "conda/mamba manage their own environments"),
                ("pipenv", "pipenv installs into its own virtualenv"),
                ("pdm", "pdm installs into its own virtualenv"))


def pip_calls(step: Step):
    return [c for a in simple_commands(step.script) if (c := pip_install(a))]


def package_name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; @]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def installs_dependencies(step: Step) -> bool:
    """A RUN that installs the project's dependencies (not just pip/uv/poetry themselves)."""
    if step.cmd != "RUN":
        return False
    for call in pip_calls(step):
        if call.local or call.requirement_files:
            return True
        if any(package_name(r) not in TOOLING for r in call.requirements):
            return True
    for argv in simple_commands(step.script):
        if program(argv) == "uv" and argv[1:2] == ["sync"]:
            return True
        if program(argv) == "poetry" and "install" in argv[1:]:
            return True
    return False


def installs_python(step: Step) -> bool:
    return step.cmd == "RUN" and (bool(pip_calls(step)) or installs_dependencies(step))


def unfollowable(step: Step) -> str | None:
    """Why this RUN does something a transform cannot reason about, or None."""
    if step.cmd == "ONBUILD":
        return "ONBUILD runs in images built FROM this one; moving it would change them"
    if step.cmd != "RUN":
        return None
    if CURL_PIPE_SH.search(step.script):
        return f"`{step.script[:60]}` pipes a download into a shell: what it installs, and where, is unknown"
    programs = {program(a) for a in simple_commands(step.script)}
    for exe, why in UNFOLLOWABLE:
        if exe in programs:
            return f"{exe}: {why}"
    for call in pip_calls(step):
        for option in ("--user", "--target", "-t", "--prefix", "--root"):
            if option in call.argv:
                return f"`pip install {option}` puts packages outside the virtualenv this transform moves"
    return None
