"""DO101: compilers and -dev packages installed in a stage that becomes the final image."""

from __future__ import annotations

from helpers.lint.knowledge import is_build_tool, makes_build_stage
from helpers.lint.queries import command_lines, os_install, removes_packages, runs
from helpers.lint.rule import found

CODE = "DO101"
SEVERITY = "warning"
CATEGORY = "multi-stage"
TITLE = "Build tools installed in the final image"
WHY = ("Compilers, cmake, git and -dev headers are needed to build wheels, not to run them. In the final "
       "image they add hundreds of MB and give an attacker a toolchain.")
FIX = "Install them in a `builder` stage and COPY --from=builder only the built artifacts (venv, wheels)."


def check(model, context):
    final = model.final
    for run in runs(model.final_lineage()):
        if removes_packages(run):
            continue
        installs = [(line, [p for p in os_install(argv) if is_build_tool(p)]) for argv, line in command_lines(model, run)]
        tools = [t for _, found_ in installs for t in found_]
        if makes_build_stage(tools):  # git alone does not
            line = next(line for line, found_ in installs if makes_build_stage(found_))
            where = f"stage {final.label}" if run.stage == final.index else "a stage the final image is built FROM"
            yield found(__name__, model, line, f"{', '.join(tools)} installed in {where}")
