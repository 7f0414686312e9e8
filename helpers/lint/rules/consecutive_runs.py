"""DO603: RUN instructions back to back that could be one layer."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO603"
SEVERITY = "info"
CATEGORY = "best-practice"
TITLE = "Consecutive RUN instructions"
WHY = ("Each RUN is a layer: a cleanup in a separate RUN cannot shrink the layer before it, and many "
       "small layers slow pulls. Steps that always change together belong in one RUN.")
FIX = "Join them with `&& \\` into one RUN (keep a separate RUN only where it helps caching)."


def check(model, context):
    for stage in model.stages:
        previous = None
        for item in stage.instructions:
            if item.cmd == "RUN" and previous is not None and previous.cmd == "RUN":
                yield found(__name__, model, item.start_line, f"follows the RUN at line {previous.start_line}")
            previous = item
