"""World-writable paths: any user in the container can plant or alter files there.

Sticky directories (``/tmp``, ``/var/tmp``, ``/dev/shm``-like: mode o+w with the sticky bit)
are excluded, because there a user cannot touch another user's files; they are listed in one
info finding so the exclusion is visible. Symlinks are always 0777 and mean nothing.
"""

from __future__ import annotations

import stat

from helpers.image.archive import DIR, FILE
from helpers.security.finding import Finding, Rule

RULE = Rule("SEC003", "world-writable", "medium", "A file or directory any user can write to.")
STICKY_RULE = Rule("SEC004", "world-writable-sticky", "info",
                   "A world-writable directory with the sticky bit (like /tmp): excluded from SEC003.")


def check(facts) -> list[Finding]:
    found, sticky = [], []
    for path, placed in sorted(facts.final.items()):
        entry = placed.entry
        if entry.type not in (FILE, DIR) or not entry.mode & stat.S_IWOTH:
            continue
        if entry.type == DIR and entry.mode & stat.S_ISVTX:
            sticky.append(path)
            continue
        kind = "directory" if entry.type == DIR else "file"
        found.append(Finding(RULE.id, RULE.severity, f"World-writable {kind} {path}.", path=path,
                             layer=placed.layer, line=facts.layer_line(placed.layer),
                             evidence=f"mode {entry.mode & 0o7777:04o}, owner uid {entry.uid}"))
    if sticky:
        found.append(Finding(STICKY_RULE.id, STICKY_RULE.severity,
                             f"{len(sticky)} sticky world-writable directories excluded: {', '.join(sticky)}.",
                             evidence="mode o+w with the sticky bit"))
    return found

RULES = (RULE, STICKY_RULE)
