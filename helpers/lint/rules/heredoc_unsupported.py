"""DO002: heredocs, which the built-in frontend of a 20.10 engine cannot parse."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO002"
SEVERITY = "error"
CATEGORY = "syntax"
TITLE = "Heredoc the target engine cannot build"
WHY = ("Heredocs (`RUN <<EOF`) need the dockerfile:1.4+ frontend. Docker 20.10's built-in BuildKit "
       "frontend rejects them, and fetching a newer frontend needs a registry.")
FIX = "Write the script as a `RUN a && b` chain, or COPY it in as a file and RUN it."


def check(model, context):
    for problem in model.problems:
        if problem.kind == "heredoc":
            yield found(__name__, model, problem.line, problem.message)
