"""Remove compilers and -dev packages from the runtime stage's apt installs.

Build tools are needed to build wheels, never to run them. A ``-dev`` package is replaced by
the library it provides headers for (``libpq-dev`` -> ``libpq5``), because a compiled
dependency links that library at run time; an unknown ``-dev`` is dropped and named in the
outcome, and the smoke test run on the built image is what proves the drop was safe.
"""

from __future__ import annotations

from helpers.lint.knowledge import is_build_tool
from helpers.lint.shell import apt_install_packages, simple_commands
from helpers.variants import apt_hygiene
from helpers.variants.doc import Doc, Step, replace_word
from helpers.variants.python_installs import installs_python
from helpers.variants.transform import Project, Skip

NAME = "drop_build_tools"
FIXES = ("DO101",)
# Debian bookworm: the shared library each common -dev package provides headers for.
RUNTIME_LIBRARY = {
    "libpq-dev": "libpq5", "libxml2-dev": "libxml2", "libxslt1-dev": "libxslt1.1", "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo", "zlib1g-dev": "zlib1g", "libffi-dev": "libffi8", "libssl-dev": "libssl3",
    "libyaml-dev": "libyaml-0-2", "libsqlite3-dev": "libsqlite3-0", "libpng-dev": "libpng16-16",
    "libopenblas-dev": "libopenblas0", "libblas-dev": "libblas3", "liblapack-dev": "liblapack3",
    "default-libmysqlclient-dev": "libmariadb3", "libmariadb-dev": "libmariadb3", "libsndfile1-dev": "libsndfile1",
    "libgeos-dev": "libgeos-c1v5", "libcurl4-openssl-dev": "libcurl4", "libbz2-dev": "libbz2-1.0",
    "liblzma-dev": "liblzma5", "libzstd-dev": "libzstd1", "libgdal-dev": "libgdal32", "libmagic-dev": "libmagic1",
}
NO_RUNTIME_PART = {"python3-dev", "python-dev", "python3-all-dev"}


def filter_install(command: str, dropped: list[str], unknown: list[str]) -> str | None:
    """The install command without build tools (libraries added for -dev); None when nothing is left."""
    argv = simple_commands(command)[0]
    packages = apt_install_packages(argv) or []
    keep = []
    for package in packages:
        name = package.split("=")[0]
        if not is_build_tool(name):
            keep.append(package)
            continue
        dropped.append(name)
        library = RUNTIME_LIBRARY.get(name)
        if library:
            keep.append(library)
        elif name.endswith("-dev") and name not in NO_RUNTIME_PART:
            unknown.append(name)
    if not keep:
        return None
    for package in packages[1:]:
        command = replace_word(command, package, "")
    return " ".join(replace_word(command, packages[0], " ".join(dict.fromkeys(keep))).split())


def apply(doc: Doc, project: Project) -> str:
    if len(doc.stages) < 2:
        raise Skip("single stage: the build itself needs its tools (multistage did not apply)")
    final = doc.final
    if any(installs_python(s) for s in final.instructions):
        raise Skip("the final stage installs Python packages itself, which may need the compilers")
    dropped: list[str] = []
    unknown: list[str] = []
    steps = []
    for step in final.instructions:
        if not apt_hygiene.apt_run(step):
            steps.append(step)
            continue
        commands = []
        for command in step.commands:
            if apt_hygiene.is_install(command):
                command = filter_install(command, dropped, unknown)
            if command is not None:
                commands.append(command)
        if any(apt_hygiene.is_install(c) for c in commands):
            steps.append(Step.run(commands, step.flags))
    if not dropped:
        raise Skip("the runtime stage installs no build tools")
    final.instructions = steps
    note = f"; no known runtime library for {', '.join(unknown)} (the smoke test checks)" if unknown else ""
    return f"runtime stage without {', '.join(dict.fromkeys(dropped))}{note}"
