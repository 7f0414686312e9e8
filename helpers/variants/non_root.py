"""Run the final image as an unprivileged user that owns only what the app must write.

Writable places are the image's VOLUMEs, directories its final stage creates with ``mkdir``,
and any the caller names; everything else (the app, the virtualenv) stays root-owned, so the
app cannot rewrite its own code. uid 1000 matches the usual first user on a host, which keeps
bind-mounted output readable.
"""

from __future__ import annotations

from helpers.lint.shell import program, simple_commands
from helpers.variants.doc import Doc, Step
from helpers.variants.transform import Project, Skip

NAME = "non_root"
FIXES = ("DO301",)
USER, UID = "appuser", 1000
TRAILING = {"CMD", "ENTRYPOINT", "HEALTHCHECK", "EXPOSE", "STOPSIGNAL", "LABEL"}


def writable_paths(doc: Doc, project: Project) -> list[str]:
    paths: list[str] = list(project.extra.get("writable", []))
    final = doc.final
    for i, step in enumerate(final.steps):
        if step.cmd == "VOLUME":
            paths += [v.strip("[]\",") for v in step.value]
        if step.cmd == "RUN":
            for argv in simple_commands(step.script):
                if program(argv) == "mkdir":
                    workdir = final.workdir_at(i)
                    paths += [a if a.startswith("/") else f"{workdir.rstrip('/')}/{a}" for a in argv[1:]
                              if not a.startswith("-")]
    return list(dict.fromkeys(p for p in paths if p))


def apply(doc: Doc, project: Project) -> str:
    final = doc.final
    users = [s.value[0].split(":")[0] for s in final.steps if s.cmd == "USER"]
    if users and users[-1] not in ("root", "0"):
        raise Skip(f"already runs as {users[-1]}")
    add_user = (f"adduser -D -u {UID} {USER}" if "alpine" in doc.resolve(final.base)
                else f"useradd --create-home --uid {UID} {USER}")
    final.steps.insert(0, Step.run([add_user]))
    writable = writable_paths(doc, project)
    end = len(final.steps)
    while end > 0 and final.steps[end - 1].cmd in TRAILING:
        end -= 1
    tail = [Step.run([f"mkdir -p {' '.join(writable)}", f"chown {USER}:{USER} {' '.join(writable)}"])] if writable else []
    final.steps[end:end] = tail + [Step.parse(f"USER {USER}")]
    owned = f"; owns {', '.join(writable)}" if writable else "; writes nothing but /tmp, so owns nothing"
    return f"runs as {USER} (uid {UID}){owned}"
