"""Base images pinned by digest, or not: a tag can be re-pointed to different bytes at any time.

Read from the Dockerfile model's stages. ``name@sha256:...`` is pinned; so is the form the
reference phase 3 uses, ``${BASE}@${BASE_DIGEST}``, when the digest argument resolves (from a
build arg or the ARG's default) to ``sha256:...``, or is left to the build (the form forces a
digest: an empty one fails the build). ``FROM scratch`` and FROMs naming an earlier stage
pull nothing and are skipped.
"""

from __future__ import annotations

from helpers.dockerfile.arguments import ARG_REF, expand
from helpers.security.finding import Finding, NotApplicable, Rule

RULE = Rule("SEC009", "base-not-pinned", "medium", "A base image is referenced by tag, not by digest.")


def pinned(reference: str, values: dict[str, str]) -> tuple[bool, str]:
    """Whether a FROM reference is digest-pinned, and the evidence for the verdict."""
    if "@sha256:" in reference:
        return True, reference
    name, at, digest = reference.partition("@")
    if at and ARG_REF.fullmatch(digest):
        resolved = expand(digest, values)
        if resolved.startswith("sha256:"):
            return True, f"{reference} -> {expand(name, values)}@{resolved}"
        if not resolved:
            return True, f"{reference}: digest supplied at build time (an empty one fails the build)"
        return False, f"{reference}: digest argument resolves to {resolved!r}"
    return False, expand(reference, values) if "$" in reference else reference


def check(facts) -> list[Finding]:
    if not facts.dockerfile:
        raise NotApplicable("no Dockerfile given: base-image pinning is read from its FROM lines")
    model = facts.dockerfile_model
    if model is None:
        return []
    values = {**model.global_args, **facts.build_args}
    found = []
    for stage in model.stages:
        reference = stage.base_raw
        if reference.lower() == "scratch" or stage.parent is not None:
            continue
        ok, evidence = pinned(reference, values)
        if not ok:
            found.append(Finding(RULE.id, RULE.severity, f"FROM {reference} is not pinned by digest.",
                                 line=stage.from_line, evidence=evidence))
    return found

RULES = (RULE,)
