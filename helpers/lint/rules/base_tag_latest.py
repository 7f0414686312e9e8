"""DO303: a base image with no tag or with `latest`."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO303"
SEVERITY = "warning"
CATEGORY = "security"
TITLE = "Base image is untagged or `latest`"
WHY = ("`latest` (which an untagged name means) changes with every upstream release: builds stop being "
       "reproducible and a major upgrade can arrive unannounced.")
FIX = "Name an explicit version tag (python:3.11-slim-bookworm), ideally with its digest too."


def tag_of(reference: str) -> str | None:
    """The tag of an image reference; None when it has none. A registry port is not a tag."""
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def check(model, context):
    for stage in model.stages:
        if stage.parent is not None or stage.is_scratch or stage.base_unresolved or not stage.base:
            continue
        tag = tag_of(stage.base)
        if tag is None and "@" not in stage.base:
            yield found(__name__, model, stage.from_line, f"FROM {stage.base} has no tag (means :latest)")
        elif tag == "latest":
            yield found(__name__, model, stage.from_line, f"FROM {stage.base} uses :latest")
