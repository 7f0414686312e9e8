"""DO604: ``pip install name`` in the Dockerfile without an exact version or a constraints file."""

from __future__ import annotations

from helpers.lint.queries import env_before, pip_calls_at, runs
from helpers.lint.requirements import split, unpinned
from helpers.lint.rule import found
from helpers.lint.shell import INSTALLER_PACKAGES

CODE = "DO604"
SEVERITY = "warning"
CATEGORY = "best-practice"
TITLE = "Unpinned Python packages in the Dockerfile"
WHY = ("`pip install transformers` installs whatever is newest at build time: two builds of one "
       "Dockerfile differ, and a release upstream can break the image with no change here.")
FIX = "Pin exact versions (name==1.2.3), or install with -c constraints.txt generated from a known-good image."


def application_requirements(requirements: list[str]) -> list[str]:
    """Requirements other than the installer itself (pip, setuptools, wheel: DO607's business)."""
    return [r for r in requirements if (split(r) or ("",))[0] not in INSTALLER_PACKAGES]


def check(model, context):
    for run in runs(model.stages):
        constrained_env = "PIP_CONSTRAINT" in env_before(model, run)
        loose, line = [], None
        for call, at in pip_calls_at(model, run):
            if call.constraint_files or constrained_env:
                continue  # a constraints file pins what it names; DO605 checks that it names enough
            mine = unpinned(application_requirements(call.requirements))
            if mine and line is None:
                line = at
            loose += mine
        if loose:
            yield found(__name__, model, line, f"{', '.join(dict.fromkeys(loose))} not pinned")
