"""DO302: a base image referenced by tag only, so its content can change under the same name."""

from __future__ import annotations

from helpers.lint.rule import found

CODE = "DO302"
SEVERITY = "warning"
CATEGORY = "security"
TITLE = "Base image not pinned by digest"
WHY = ("A tag is a movable pointer: rebuilding the same Dockerfile can pull different bytes, unreviewed. "
       "A digest (`@sha256:...`) names exactly one image, which is what the seed's 'image signature "
       "verification' point asks for.")
FIX = "FROM name:tag@sha256:<digest> (or pass the digest as an ARG: FROM ${BASE}@${BASE_DIGEST})."


def check(model, context):
    for stage in model.stages:
        if stage.parent is not None or stage.is_scratch or not stage.base_raw:
            continue
        if "@" in stage.base_raw or "@" in stage.base:  # a literal digest or an @${ARG} reference
            continue
        yield found(__name__, model, stage.from_line, f"FROM {stage.base} has no @sha256 digest")
