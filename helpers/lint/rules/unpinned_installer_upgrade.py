"""DO607: ``pip install -U pip setuptools wheel``: the installer itself upgraded to whatever is newest."""

from __future__ import annotations

from helpers.lint.queries import env_before, pip_calls_at, runs
from helpers.lint.requirements import split, unpinned
from helpers.lint.rule import found
from helpers.lint.shell import INSTALLER_PACKAGES

CODE = "DO607"
SEVERITY = "info"
CATEGORY = "best-practice"
TITLE = "Installer upgraded without a pin"
WHY = ("Upgrading pip, setuptools or wheel is not an application dependency, but an unpinned upgrade still "
       "changes how the next build resolves and builds packages, on the installer's release schedule.")
FIX = "Pin the upgrade (pip install pip==24.2 setuptools==72.1.0 wheel==0.44.0), or keep the base image's pip."


def check(model, context):
    for run in runs(model.stages):
        if "PIP_CONSTRAINT" in env_before(model, run):
            continue
        for call, line in pip_calls_at(model, run):
            if call.constraint_files:
                continue
            installers = [r for r in call.requirements if (split(r) or ("",))[0] in INSTALLER_PACKAGES]
            loose = unpinned(installers)
            if loose:
                how = "upgraded" if call.upgrade else "installed"
                yield found(__name__, model, line, f"{', '.join(loose)} {how} to whatever is newest")
                break
