"""DO606: the final image declares no HEALTHCHECK."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO606"
SEVERITY = "info"
CATEGORY = "best-practice"
TITLE = "No HEALTHCHECK"
WHY = ("Without one, Docker and orchestrators only know the process exists, not that it works: a hung "
       "server stays 'running' and keeps receiving traffic.")
FIX = "HEALTHCHECK --interval=30s --timeout=3s CMD <a command that fails when the app is unhealthy>."


def check(model, context):
    final = model.final
    if final is None:
        return
    checks = [i for i in model.image_instructions() if i.cmd == "HEALTHCHECK"]
    if not checks:
        yield found(__name__, model, final.from_line, f"none in the final stage {final.label}")
    elif checks[-1].value[:1] and checks[-1].value[0].upper() == "NONE":
        yield found(__name__, model, checks[-1].start_line, "HEALTHCHECK NONE disables the base image's check")
