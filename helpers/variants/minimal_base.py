"""Run the final stage on a minimal Python base: interpreter and standard library only.

A runtime that receives a complete virtualenv needs no pip, compilers or docs, only the
interpreter the virtualenv links to, at the same path. dockopt's own Debian base has such a
counterpart; for other bases the outcome says what it would use and why it was not applied.
"""

from __future__ import annotations

import re

from helpers.engine.base_images import MINIMAL_TAG, PYTHON_TAG
from helpers.variants.doc import Doc, Step, set_from
from helpers.variants.python_installs import installs_python
from helpers.variants.transform import Project, Skip
from helpers.variants.venvs import copied_venvs, lineage, made_by

NAME = "minimal_base"
FIXES = ()
MINIMAL = {PYTHON_TAG: MINIMAL_TAG}
ARG_NAME = "RUNTIME_BASE_IMAGE"


def apply(doc: Doc, project: Project) -> str:
    if len(doc.stages) < 2:
        raise Skip("single stage: the runtime also builds, so it needs the full base")
    final = doc.final
    base = doc.resolve(final.base_raw)
    if doc.stage_named(base):
        raise Skip(f"the final stage is built FROM the stage {base}")
    if any(installs_python(s) for s in final.instructions):
        raise Skip("the final stage installs Python packages, which needs pip")
    venvs = [v for s in lineage(doc, final) for v in copied_venvs(doc, s)]
    if not venvs:
        raise Skip("the final stage copies no virtualenv from another stage, so it needs the base's own "
                   "site-packages")
    minimal = MINIMAL.get(base)
    if minimal is None:
        slim = re.match(r"^(?:docker\.io/)?(?:library/)?python:(3\.\d+)", base)
        if slim:
            raise Skip(f"{base}: a minimal runtime would be gcr.io/distroless/python3-debian12 (not applied: its "
                       f"interpreter is /usr/bin/python3.11, not the /usr/local/bin/python{slim.group(1)} the "
                       "builder's virtualenv links to, and no registry is reachable here to pull it)")
        raise Skip(f"no minimal counterpart known for {base}")
    doc.preamble.append(Step.parse(f"ARG {ARG_NAME}={minimal}"))
    set_from(final, "${%s}" % ARG_NAME)
    makers = {made_by(doc, v) for v in venvs}
    if "python" in makers:
        # `python -m venv` links bin/python to /usr/bin/python (python-is-python3), which the minimal base lacks
        link = Step.run(["ln -s python3 /usr/bin/python"])
        link.comment = [f"the virtualenv {', '.join(venvs)} links its python to /usr/bin/python (made by "
                        "`python -m venv`); the minimal base only has python3"]
        final.instructions.insert(0, link)
        return (f"runtime stage on {minimal} (interpreter and standard library only) instead of {base}; "
                "/usr/bin/python linked for the virtualenv")
    return f"runtime stage on {minimal} (interpreter and standard library only) instead of {base}"
