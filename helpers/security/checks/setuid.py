"""setuid/setgid executables: each one is a way from a non-root user back to root (or a group).

Debian's own (su, passwd, mount...) are listed too: a runtime image rarely needs them, and
Dockle's CIS-DI-0008 asks for each to be justified. Only the visible filesystem counts; a
file a later layer deleted cannot be executed.
"""

from __future__ import annotations

import stat

from helpers.image.archive import FILE
from helpers.security.finding import Finding, Rule

RULE = Rule("SEC002", "setuid-setgid", "low", "A setuid or setgid executable lets a user gain another identity.")


def check(facts) -> list[Finding]:
    found = []
    for path, placed in sorted(facts.final.items()):
        entry = placed.entry
        bits = entry.mode & (stat.S_ISUID | stat.S_ISGID)
        if entry.type != FILE or not bits:
            continue
        kinds = "+".join(k for k, b in (("setuid", stat.S_ISUID), ("setgid", stat.S_ISGID)) if bits & b)
        found.append(Finding(RULE.id, RULE.severity, f"{path} is {kinds} (owner uid {entry.uid}, gid {entry.gid}).",
                             path=path, layer=placed.layer, line=facts.layer_line(placed.layer),
                             evidence=f"mode {entry.mode & 0o7777:04o}"))
    return found

RULES = (RULE,)
