"""DO102: one stage does both building and running, so build-time weight ships."""

from __future__ import annotations

from helpers.lint.knowledge import is_build_tool, makes_build_stage
from helpers.lint.queries import os_packages, runs
from helpers.lint.rule import found

CODE = "DO102"
SEVERITY = "warning"
CATEGORY = "multi-stage"
TITLE = "Single-stage build that compiles"
WHY = ("With one stage, everything needed to build (toolchains, headers, source, caches) is in the image "
       "that ships. A builder stage keeps it out and lets the runtime stage start from a small base.")
FIX = "Split into `FROM base AS builder` (install, compile) and `FROM base AS runtime` (COPY --from=builder)."


def check(model, context):
    if len(model.stages) != 1:
        return
    stage = model.stages[0]
    tools = sorted({p for run in runs([stage]) for p in os_packages(run) if is_build_tool(p)})
    if makes_build_stage(tools):  # git alone fetches, it does not compile
        yield found(__name__, model, stage.from_line,
                    f"the only stage installs {', '.join(tools)} and is also the image that runs")
