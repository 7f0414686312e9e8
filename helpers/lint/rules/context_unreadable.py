"""DO004: the build context or its ignore file could not be read, so context rules could not run."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO004"
SEVERITY = "error"
CATEGORY = "syntax"
TITLE = "Build context cannot be read"
WHY = ("BuildKit must read the ignore file and every file it sends; what dockopt cannot read, the "
       "engine cannot either, and the context measurements below would be wrong.")
FIX = "Fix the permissions of the named file, or exclude it in the .dockerignore."


def check(model, context):
    if context is not None:
        context.scan()
        if context.scan_error is not None:
            yield found(__name__, model, None, context.scan_error.message)
