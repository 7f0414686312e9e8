"""Just enough shell to read RUN lines: split into simple commands, find package-manager calls.

RUN scripts are not parsed as a full shell grammar; the rules only need each simple command's
argv (split on ``&&``, ``||``, ``;``, ``|`` and newlines) to recognise ``apt-get install``,
``pip install`` and friends. Unbalanced quotes fall back to whitespace splitting rather than fail.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache

SEPARATORS = {"&&", "||", ";", "|", "&", ";;", "|&"}
WRAPPERS = {"sudo", "exec", "command", "nice", "nohup", "time", "env", "eatmydata"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
PIP_EXE = re.compile(r"^pip[0-9.]*$")
PYTHON_EXE = re.compile(r"^python[0-9.]*$")


def simple_commands(script: str) -> list[list[str]]:
    """Each simple command's argv, leading ``VAR=value`` assignments and ``sudo``-like wrappers dropped."""
    return [list(argv) for argv in _split(script)]


@lru_cache(maxsize=8192)  # every rule asks about the same RUN scripts; shlex is the lint's hot spot
def _split(script: str) -> tuple[tuple[str, ...], ...]:
    commands: list[tuple[str, ...]] = []
    for chunk in script.replace("\\\n", " ").split("\n"):
        try:
            lexer = shlex.shlex(chunk, posix=True, punctuation_chars=";&|")
            lexer.whitespace_split = True
            lexer.commenters = ""
            tokens = list(lexer)
        except ValueError:
            tokens = re.sub(r"(&&|\|\||;|\|)", r" \1 ", chunk).split()
        current: list[str] = []
        for token in tokens + [";"]:
            if token in SEPARATORS:
                while current and (ASSIGNMENT.match(current[0]) or current[0] in WRAPPERS):
                    current.pop(0)
                if current:
                    commands.append(tuple(current))
                current = []
            else:
                current.append(token)
    return tuple(commands)


def program(argv: list[str]) -> str:
    return argv[0].rsplit("/", 1)[-1] if argv else ""


@dataclass
class PipInstall:
    """One ``pip install`` (or ``pip wheel``) call, reduced to what pinning and caching rules ask about."""

    argv: list[str]
    requirements: list[str] = field(default_factory=list)  # named packages (specifiers as written)
    local: list[str] = field(default_factory=list)  # paths installed: ".", "./pkg", wheels
    requirement_files: list[str] = field(default_factory=list)  # -r
    constraint_files: list[str] = field(default_factory=list)  # -c
    no_deps: bool = False
    no_cache_dir: bool = False  # --no-cache-dir, or an abbreviation pip accepts (--no-cache); uv: --no-cache, -n
    command: str = "install"  # or "wheel": builds the same dependencies into wheels
    tool: str = "pip"  # "uv" for ``uv pip ...``: its cache is uv's (~/.cache/uv), not pip's
    upgrade: bool = False  # -U / --upgrade


PIP_VALUE_OPTIONS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target",
                     "--prefix", "--root", "--platform", "--python-version", "--implementation", "--abi",
                     "--src", "--upgrade-strategy", "--progress-bar", "--trusted-host", "--cert",
                     "--client-cert", "--cache-dir", "--log", "--timeout", "--retries", "--proxy",
                     "--global-option", "--config-settings", "-C", "--only-binary", "--no-binary",
                     "-w", "--wheel-dir", "--python", "-p", "--index-strategy", "--keyring-provider"}
# pip (optparse) accepts any unambiguous prefix of a long option: --no-cache, --no-cache-d, ...
# "--no-ca" is the shortest prefix no other pip option shares.
NO_CACHE_DIR = "--no-cache-dir"


def _no_cache(key: str, tool: str) -> bool:
    if tool == "uv":
        return key in ("--no-cache", "-n")
    return len(key) >= len("--no-ca") and NO_CACHE_DIR.startswith(key)


def pip_install(argv: list[str]) -> PipInstall | None:
    """Recognise ``pip install``, ``python -m pip install`` and ``uv pip install``; else None."""
    return _pip(argv, ("install",))


def pip_call(argv: list[str]) -> PipInstall | None:
    """Like :func:`pip_install`, and ``pip wheel`` too (it resolves and fetches the same dependencies)."""
    return _pip(argv, ("install", "wheel"))


def _pip(argv: list[str], commands: tuple[str, ...]) -> PipInstall | None:
    exe = program(argv)
    tool = "pip"
    if PIP_EXE.match(exe):
        rest = argv[1:]
    elif PYTHON_EXE.match(exe) and argv[1:3] == ["-m", "pip"]:
        rest = argv[3:]
    elif exe == "uv" and argv[1:2] == ["pip"]:
        rest, tool = argv[2:], "uv"
    else:
        return None
    global_options = []
    while rest and rest[0].startswith("-"):  # global options before the subcommand (pip --no-cache-dir install)
        global_options.append(rest[0])
        rest = rest[1:]
    if not rest or rest[0] not in commands:
        return None
    found = PipInstall(argv, command=rest[0], tool=tool)
    found.no_cache_dir = any(_no_cache(o.partition("=")[0], tool) for o in global_options)
    args = iter(rest[1:])
    for arg in args:
        key, eq, inline = arg.partition("=")
        if key in ("-r", "--requirement"):
            found.requirement_files.append(inline if eq else next(args, ""))
        elif key in ("-c", "--constraint"):
            found.constraint_files.append(inline if eq else next(args, ""))
        elif key in ("-e", "--editable"):
            found.local.append(inline if eq else next(args, ""))
        elif arg.startswith("-r") and len(arg) > 2:
            found.requirement_files.append(arg[2:])
        elif arg.startswith("-c") and len(arg) > 2:
            found.constraint_files.append(arg[2:])
        elif key == "--no-deps":
            found.no_deps = True
        elif _no_cache(key, tool):
            found.no_cache_dir = True
        elif key in ("-U", "--upgrade"):
            found.upgrade = True
        elif key in PIP_VALUE_OPTIONS:
            if not eq:
                next(args, None)
        elif arg.startswith("-") or arg in (">", ">>", "<", "2>", "2>&1"):
            continue
        elif arg.startswith((".", "/", "~")) or arg.endswith((".whl", ".tar.gz", ".zip")) or "://" in arg:
            found.local.append(arg)
        else:
            found.requirements.append(arg)
    return found


PIP_WHEEL_DIR = {"-w", "--wheel-dir"}


def pip_wheel(argv: list[str]) -> PipInstall | None:
    """Recognise ``pip wheel`` (and ``python -m pip wheel``): it resolves and downloads every dependency
    as an install does, so it is read the same way (its ``-w DIR`` is an output, not a package); else None."""
    exe = program(argv)
    head = 1 if PIP_EXE.match(exe) else 3 if PYTHON_EXE.match(exe) and argv[1:3] == ["-m", "pip"] else None
    if head is None:
        return None
    at = next((i for i in range(head, len(argv)) if not argv[i].startswith("-")), None)
    if at is None or argv[at] != "wheel":
        return None
    rest, args = [], iter(argv[at + 1:])
    for arg in args:
        if arg in PIP_WHEEL_DIR:
            next(args, None)
        elif not arg.partition("=")[0] in PIP_WHEEL_DIR and not (arg.startswith("-w") and len(arg) > 2):
            rest.append(arg)
    found = pip_install([*argv[:at], "install", *rest])
    if found is not None:
        found.argv = list(argv)
    return found


def recursive_chown(argv: list[str]) -> tuple[str, list[str]] | None:
    """``chown -R OWNER PATH...`` as (owner, paths); None for any other command (or a --reference chown)."""
    if program(argv) != "chown":
        return None
    options = [a for a in argv[1:] if a.startswith("-")]
    words = [a for a in argv[1:] if not a.startswith("-")]
    recursive = "--recursive" in options or any(not o.startswith("--") and "R" in o for o in options)
    if not recursive or len(words) < 2 or any(o.startswith("--reference") for o in options):
        return None
    return words[0], words[1:]


# Packages that install the installer itself (pip install -U pip setuptools wheel): not the
# application's dependencies, whatever their pinning (DO607 notes them, DO604 does not).
INSTALLER_PACKAGES = frozenset({"pip", "setuptools", "wheel"})


def is_installer_upgrade(call: PipInstall) -> bool:
    """``pip install -U pip setuptools wheel``: only the installer itself, nothing of the application."""
    names = [re.split(r"[=<>!~\[;@ ]", r, maxsplit=1)[0].lower() for r in call.requirements]
    return bool(names) and all(n in INSTALLER_PACKAGES for n in names) and not (call.local or call.requirement_files)


def dependency_install(argv: list[str]) -> str | None:
    """What a command installs, for cache-order questions.

    "deps": it fetches dependencies (pip install -r / names, pip wheel -r, uv sync --no-install-project,
    poetry install --no-root, conda/mamba install, npm ci, make install, go mod download, ...).
    "project": it builds or installs the project from its source (pip install ., uv sync, poetry
    install, go build); it fetches dependencies too unless an earlier layer installed them.
    None: anything else (pip install --no-deps . fetches nothing).
    """
    call = pip_call(argv)
    if call is not None:
        if call.no_deps and not (call.requirements or call.requirement_files):
            return None
        if is_installer_upgrade(call):
            return None
        return "deps" if call.requirements or call.requirement_files or not call.local else "project"
    exe, words = program(argv), argv[1:]
    verb = next((w for w in words if not w.startswith("-")), "")
    if exe == "uv":
        if verb == "sync":
            only_deps = {"--no-install-project", "--no-install-workspace", "--only-deps"} & set(words)
            return "deps" if only_deps else "project"
        return "deps" if verb == "add" else None
    if exe == "poetry" and verb == "install":
        return "deps" if {"--no-root", "--only-deps"} & set(words) else "project"
    if exe == "pdm" and verb in ("install", "sync"):
        return "deps" if "--no-self" in words else "project"
    if exe == "pipenv" and verb in ("install", "sync"):
        return "deps"
    if exe in ("conda", "mamba", "micromamba"):
        rest = [w for w in words if not w.startswith("-")]
        if rest[:1] in (["install"], ["create"], ["update"]) or rest[:2] in (["env", "create"], ["env", "update"]):
            return "deps"
        return None
    if exe in ("npm", "pnpm") and verb in ("ci", "install", "i", "add"):
        return "deps"
    if exe == "yarn" and verb in ("", "install", "add"):
        return "deps"
    if exe in ("make", "gmake") and "install" in words:
        return "deps"
    if exe == "go":
        return "deps" if words[:2] == ["mod", "download"] else ("project" if verb in ("build", "install") else None)
    if exe == "cargo":
        return "deps" if verb == "fetch" else ("project" if verb in ("build", "install") else None)
    if exe in ("bundle", "composer") and verb == "install":
        return "deps"
    return None


APT_PROGRAMS = {"apt-get", "apt", "aptitude"}


def apt_install_packages(argv: list[str]) -> list[str] | None:
    """Packages of an ``apt-get install``; None when the command is not one."""
    if program(argv) not in APT_PROGRAMS or "install" not in argv[1:]:
        return None
    after = argv[argv.index("install") + 1:]
    return [a for a in after if not a.startswith("-")]


def is_apt(argv: list[str]) -> bool:
    return program(argv) in APT_PROGRAMS


PACKAGE_MANAGERS = {
    # manager: (recogniser of argv, cache directories a cache mount should target)
    "apt": (lambda a: program(a) in APT_PROGRAMS and any(w in a for w in ("install", "update", "upgrade")),
            ("/var/cache/apt", "/var/lib/apt")),
    # ``uv pip install`` is uv's: it uses uv's cache, so it counts as uv, not pip.
    "pip": (lambda a: (c := pip_call(a)) is not None and c.tool == "pip", ("/root/.cache/pip", ".cache/pip", "/pip")),
    "apk": (lambda a: program(a) == "apk" and "add" in a, ("/var/cache/apk", "/etc/apk/cache")),
    "dnf": (lambda a: program(a) in ("dnf", "yum", "microdnf") and "install" in a, ("/var/cache/dnf", "/var/cache/yum")),
    "npm": (lambda a: program(a) in ("npm", "yarn", "pnpm") and any(w in a for w in ("install", "ci", "add")),
            (".npm", "yarn", "pnpm")),
    "poetry": (lambda a: program(a) == "poetry" and "install" in a, ("pypoetry",)),
    "uv": (lambda a: program(a) == "uv" and any(w in a for w in ("sync", "install", "add")), (".cache/uv", "/uv")),
    "go": (lambda a: program(a) == "go" and any(w in a for w in ("build", "download", "install")), ("go-build", "/go/pkg/mod")),
    "cargo": (lambda a: program(a) == "cargo" and any(w in a for w in ("build", "install", "fetch")), ("cargo", "target")),
}


def package_managers(script: str) -> list[str]:
    """Which package managers a RUN script calls to fetch or install, in order of first use."""
    used: list[str] = []
    for argv in simple_commands(script):
        for manager, (recognise, _) in PACKAGE_MANAGERS.items():
            if manager not in used and recognise(argv):
                used.append(manager)
    return used


def cache_mounted(manager: str, targets: list[str]) -> bool:
    """Whether one of the RUN's cache-mount targets holds this manager's cache."""
    hints = PACKAGE_MANAGERS[manager][1]
    if manager in HOME_CACHE_MANAGERS and any(t.rstrip("/").endswith("/.cache") for t in targets):
        return True  # a mount of ~/.cache holds ~/.cache/pip, ~/.cache/uv, ...
    return any(hint in target for target in targets for hint in hints)


HOME_CACHE_MANAGERS = {"pip", "uv", "poetry", "go"}
