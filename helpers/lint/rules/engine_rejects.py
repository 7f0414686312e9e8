"""DO001: instructions BuildKit refuses before building anything."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO001"
SEVERITY = "error"
CATEGORY = "syntax"
TITLE = "Instruction BuildKit will not build"
WHY = ("BuildKit stops at an unknown instruction, a FROM without an image, a file without FROM, or "
       "anything but ARG before the first FROM: the build fails before the first layer.")
FIX = "Correct the instruction's spelling, or move it after a FROM."
KINDS = {"unknown-instruction", "before-from", "empty-from", "no-from"}


def check(model, context):
    for problem in model.problems:
        if problem.kind in KINDS:
            yield found(__name__, model, problem.line, problem.message)
