"""DO602: a .dockerignore that still lets .git, tests, outputs, archives or large files through."""

from __future__ import annotations

from helpers.lint.knowledge import human_bytes
from helpers.lint.rule import found
from helpers.lint.rules.dockerignore_missing import junk_summary

CODE = "DO602"
SEVERITY = "warning"
CATEGORY = "best-practice"
TITLE = "Weak .dockerignore"
WHY = ("An ignore file that misses the heavy directories saves little: the context upload and any "
       "`COPY . .` still carry them. Measured on the real context, in bytes.")
FIX = "Add the listed paths (or their directories) to the ignore file BuildKit uses for this Dockerfile."


def check(model, context):
    scan = context.scan() if context else None
    if scan is None or scan.ignore_file is None:
        return
    junk, listed = junk_summary(scan, context.config.large_file_bytes)
    if junk:
        yield found(__name__, model, None,
                    f"{scan.ignore_file.name} still sends {human_bytes(junk)} no image needs ({listed}) "
                    f"of {human_bytes(scan.sent_bytes)} sent")
