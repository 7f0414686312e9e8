"""Compilers, build systems and package managers left in the image.

An attacker with code execution uses them to build or fetch their tools in place; the seed's
first issue is "build tools (gcc, cmake) remain in the final image". Found by executable
name in the directories a shell or a virtualenv searches, so a tool is found whether Debian,
pip or a COPY put it there. Which names are build tools, and which directories count, is the
measurement's own knowledge (``helpers.measure.build_tools``): the layer table and this check
see the same tools.
"""

from __future__ import annotations

import posixpath
import re

from helpers.image.archive import FILE, HARDLINK, SYMLINK
from helpers.measure.build_tools import on_bin_path, tool_kind
from helpers.security.finding import Finding, Rule

RULE = Rule("SEC005", "build-tool", "medium", "A compiler or build system is present in the runtime image.")
PM_RULE = Rule("SEC006", "package-manager", "low",
               "A package manager is present: code execution can install more tools.")

OTHER_TOOLS = (  # (kind, rule, name pattern): tools an attacker uses that do not build anything
    ("version control", RULE, re.compile(r"^git$")),
    ("package manager", PM_RULE, re.compile(r"^(apt|apt-get|dpkg|pip|pip3(\.\d+)?|npm|conda|apk)$")),
)


def classify(name: str):
    kind = tool_kind(name)
    if kind is not None:
        return kind, RULE
    for kind, rule, pattern in OTHER_TOOLS:
        if pattern.match(name):
            return kind, rule
    return None


def check(facts) -> list[Finding]:
    found = []
    for path, placed in sorted(facts.final.items()):
        if placed.entry.type not in (FILE, SYMLINK, HARDLINK) or not on_bin_path(posixpath.dirname(path)):
            continue
        hit = classify(posixpath.basename(path))
        if hit is None or (placed.entry.type == SYMLINK and facts.resolve(path) is None):
            continue  # a dangling link runs nothing
        kind, rule = hit
        found.append(Finding(rule.id, rule.severity, f"{kind} {path}", path=path, layer=placed.layer,
                             line=facts.layer_line(placed.layer),
                             evidence=f"-> {placed.entry.linkname}" if placed.entry.linkname else ""))
    return found

RULES = (RULE, PM_RULE)
