"""DO604: ``pip install name`` in the Dockerfile without an exact version or a constraints file."""

from __future__ import annotations

from helpers.lint.queries import env_before, pip_calls, runs
from helpers.lint.requirements import unpinned
from helpers.lint.rule import found

CODE = "DO604"
SEVERITY = "warning"
CATEGORY = "best-practice"
TITLE = "Unpinned Python packages in the Dockerfile"
WHY = ("`pip install transformers` installs whatever is newest at build time: two builds of one "
       "Dockerfile differ, and a release upstream can break the image with no change here.")
FIX = "Pin exact versions (name==1.2.3), or install with -c constraints.txt generated from a known-good image."


def check(model, context):
    for run in runs(model.stages):
        constrained_env = "PIP_CONSTRAINT" in env_before(model, run)
        loose = []
        for call in pip_calls(run):
            if call.constraint_files or constrained_env:
                continue  # a constraints file pins what it names; DO605 checks that it names enough
            loose += unpinned(call.requirements)
        if loose:
            yield found(__name__, model, run.start_line, f"{', '.join(dict.fromkeys(loose))} not pinned")
