"""DO003: a `# syntax=` directive, which makes every build pull a frontend image."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO003"
SEVERITY = "warning"
CATEGORY = "syntax"
TITLE = "`# syntax=` directive pulls a frontend image"
WHY = ("BuildKit fetches the named frontend image before building. Without a registry (air-gapped CI, "
       "these machines) the build fails; with one, the build depends on a moving tag.")
FIX = "Drop the directive and use the engine's built-in frontend, or pin it by digest where a registry is reachable."


def check(model, context):
    for problem in model.problems:
        if problem.kind == "syntax-directive":
            yield found(__name__, model, problem.line, problem.message)
