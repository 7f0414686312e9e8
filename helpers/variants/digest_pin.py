"""Pin every base image by digest, resolved from the engine.

A tag can be moved to another image at any time; a digest cannot. The digest comes from
``helpers.engine.registry.pin`` (a loopback registry for locally built bases), so the pinned
reference is one this engine can build from. ARGs that only named the base are dropped:
the pin is the point, and a build arg would silently undo it.

One Dockerfile has to build for every platform, so for a base that exists here for amd64 and
arm64 the resolver (``registry.pin_platforms``) returns the digest of a manifest list over both;
BuildKit picks the entry of the platform it builds for. The outcome line, which becomes the
Dockerfile's header, names the list and each platform's own digest, or says which platform the
pin leaves out and why. A resolver may also return a plain ``repo@sha256:...`` string.
"""

from __future__ import annotations

import re

from helpers.variants.doc import Doc
from helpers.variants.transform import Project, Skip

NAME = "digest_pin"
FIXES = ("DO302", "DO303")


def apply(doc: Doc, project: Project) -> str:
    if project.pin is None:
        raise Skip("no engine to resolve digests from (--no-build)")
    pinned, cache = [], {}
    for stage in doc.stages:
        base = doc.resolve(stage.base)
        if doc.stage_named(base) or base.lower() == "scratch" or "@sha256:" in base:
            continue
        if "$" in base:
            raise Skip(f"FROM {stage.base}: the base depends on a build arg without a default")
        try:
            resolved = cache.get(base) or project.pin(base)
        except Exception as exc:  # noqa: BLE001 - docker and registry errors vary; the message says which image and why
            raise Skip(f"cannot resolve a digest for {base}: {getattr(exc, 'message', exc)}") from None
        cache[base] = resolved
        ref = getattr(resolved, "ref", resolved)
        stage.set_from(ref)
        what = resolved.describe() if hasattr(resolved, "describe") else ""
        pinned.append(f"{base} -> {ref}" + (f", {what}" if what else ""))
    if not pinned:
        raise Skip("every base is already pinned by digest (or is another stage)")
    used = " ".join(s.render() for st in doc.stages for s in [st.from_step, *st.steps])
    doc.preamble = [p for p in doc.preamble if p.cmd != "ARG" or
                    any(re.search(r"\$\{?%s\b" % re.escape(v.partition("=")[0]), used) for v in p.value)]
    return "; ".join(dict.fromkeys(pinned))
