"""DO301: the final image runs as root (no USER at all, or USER root last)."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO301"
SEVERITY = "warning"
CATEGORY = "security"
TITLE = "Final image runs as root"
WHY = ("A process running as root in the container is root on the host if it escapes. Only the final "
       "stage matters: a builder stage may stay root, its user never runs anything in production.")
FIX = "RUN useradd --create-home --uid 1000 appuser, then USER appuser (numeric uid) in the final stage."
ROOT = {"root", "0"}


def check(model, context):
    final = model.final
    if final is None:
        return
    users = [i for i in model.image_instructions() if i.cmd == "USER" and i.value]
    if not users:
        yield found(__name__, model, final.from_line,
                    f"no USER in the final stage {final.label} (root unless its base image sets a user)")
        return
    last = users[-1]
    if last.value[0].split(":")[0].strip().lower() in ROOT:
        yield found(__name__, model, last.start_line, f"the last USER is {last.value[0]}")
