"""Base images pinned by digest, or not: a tag can be re-pointed to different bytes at any time.

Read from the Dockerfile's FROM lines. ``name@sha256:...`` is pinned; so is the form the
reference phase 3 uses, ``${BASE}@${BASE_DIGEST}``, when the digest argument resolves (from a
build arg or the ARG's default) to ``sha256:...``, or is left to the build (the form forces a
digest: an empty one fails the build). ``FROM scratch`` and FROMs naming an earlier stage
pull nothing and are skipped.
"""

from __future__ import annotations

import re

from helpers.security import dockerfile_facts
from helpers.security.finding import Finding, NotApplicable, Rule

RULE = Rule("SEC009", "base-not-pinned", "medium", "A base image is referenced by tag, not by digest.")
_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}?")


def expand(text: str, values: dict[str, str]) -> str:
    return _VAR.sub(lambda m: values.get(m.group(1)) or (m.group(2) or ""), text)


def from_image(args: str) -> tuple[str, str]:
    """(image reference, stage alias) from a FROM line's arguments (flags like --platform dropped)."""
    words = [w for w in args.split() if not w.startswith("--")]
    image = words[0] if words else ""
    alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else ""
    return image, alias


def pinned(reference: str, values: dict[str, str]) -> tuple[bool, str]:
    """Whether a FROM reference is digest-pinned, and the evidence for the verdict."""
    if "@sha256:" in reference:
        return True, reference
    name, at, digest = reference.partition("@")
    if at and _VAR.fullmatch(digest):
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
    items = dockerfile_facts.instructions(facts.dockerfile)
    values = {**dockerfile_facts.arg_defaults(items), **facts.build_args}
    stages: set[str] = set()
    found = []
    for item in items:
        if item.keyword != "FROM":
            continue
        reference, alias = from_image(item.args)
        if alias:
            stages.add(alias.lower())
        if reference.lower() == "scratch" or reference.lower() in stages - {alias.lower()}:
            continue
        ok, evidence = pinned(reference, values)
        if not ok:
            found.append(Finding(RULE.id, RULE.severity, f"FROM {reference} is not pinned by digest.",
                                 line=item.line, evidence=evidence))
    return found

RULES = (RULE,)
