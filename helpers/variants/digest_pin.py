"""Pin every base image by the digest its own registry serves, named as the user wrote it.

A tag can be moved to another image at any time; a digest cannot. The generated file is taken
home, so the pin must mean the same there: ``python:3.11-slim@sha256:...``, with the digest the
engine recorded when it pulled that image from that repository
(``helpers.engine.registry_digest.resolve``); for a multi-platform tag that is the manifest list,
and the outcome line, which becomes the Dockerfile's header, says what the digest covers when the
registry could be asked. ARGs that only named a pinned base are dropped: the pin is the point, and
a build arg would silently undo it.

A base with no registry digest (built on this machine) stays as written: a digest of dockopt's
loopback registry would pin an address that exists only here. The outcome then says so, and how to
pin it on a machine with a registry; the digest-pin findings (DO302) stay, since they are true.
A resolver may also return a plain ``repo@sha256:...`` string.
"""

from __future__ import annotations

import re

from helpers.engine.registry_digest import how_to_pin
from helpers.variants.doc import Doc, set_from
from helpers.variants.transform import Project, Skip

NAME = "digest_pin"
FIXES = ("DO302", "DO303")


def apply(doc: Doc, project: Project) -> str:
    if project.pin is None:
        raise Skip("no engine to resolve digests from (--no-build)")
    pinned, unpinned, cache = [], {}, {}
    for stage in doc.stages:
        base = doc.resolve(stage.base_raw)
        if doc.stage_named(base) or base.lower() == "scratch" or "@sha256:" in base:
            continue
        if "$" in base:
            raise Skip(f"FROM {stage.base_raw}: the base depends on a build arg without a default")
        if base not in cache:
            try:
                cache[base] = project.pin(base)
            except Exception as exc:  # noqa: BLE001 - docker errors vary; the message says which image and why
                cache[base] = f"cannot resolve a digest for {base}: {getattr(exc, 'message', exc)}"
        resolved = cache[base]
        ref = getattr(resolved, "ref", resolved)
        if not ref or "@" not in ref:
            unpinned[base] = getattr(resolved, "why_not", "") or str(resolved)
            continue
        set_from(stage, ref)
        what = resolved.describe() if hasattr(resolved, "describe") else ""
        pinned.append(f"{base} -> {ref}" + (f", {what}" if what else ""))
    kept = f"kept as written: {'; '.join(unpinned.values())}; {how_to_pin(list(unpinned))}" if unpinned else ""
    if not pinned:
        raise Skip(kept or "every base is already pinned by digest (or is another stage)")
    used = " ".join(s.render() for st in doc.stages for s in [st.from_instruction, *st.instructions])
    doc.preamble = [p for p in doc.preamble if p.cmd != "ARG" or
                    any(re.search(r"\$\{?%s\b" % re.escape(v.partition("=")[0]), used) for v in p.value)]
    return "; ".join([*dict.fromkeys(pinned), *([kept] if kept else [])])
