"""A Dockerfile's bases swapped for another platform's images, in dockopt's build copy only.

This engine keeps one platform per tag, so ``FROM dockopt/python:3.11-bookworm`` names the host's
image and a linux/arm64 build needs ``dockopt/python:3.11-bookworm-arm64``. A user's registry
resolves one name for every platform itself, so the file the user takes keeps the name as
written; dockopt builds a foreign platform from a temporary copy whose ``FROM`` lines name the
twin, or, for ``FROM ${ARG}``, from the file as it is with a build arg naming the twin. The
native build uses the file unchanged. Only dockopt's own bases have known twins; any other base
is built as written (a registry, where one is reachable, serves the platform's image).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from helpers.engine import base_images
from helpers.engine.registry_digest import parse

ARG_ONLY = re.compile(r"\$\{?(\w+)\}?")


def twin(tag: str, arch: str) -> str | None:
    """The local tag of ``tag``'s image for ``arch`` when ``tag`` is one of dockopt's own bases
    and that is another tag; None otherwise (no other image's foreign twin can be known)."""
    native, wanted = base_images.tags_for(None), parse(tag)
    for field_name in ("rootfs", "python", "minimal"):
        if parse(getattr(native, field_name)) == wanted:
            other = getattr(base_images.tags_for(arch), field_name)
            return other if parse(other) != wanted else None
    return None


@dataclass
class PlatformBuild:
    """How to build a Dockerfile for one architecture here.

    Attributes:
        text: the Dockerfile text to build (the original's when nothing is swapped).
        build_args: the caller's build args plus any that name a twin.
        swaps: ``written -> twin`` for each base swapped, for the log.
        rewritten: a FROM line changed, so the build needs a copy of the file.
    """

    text: str
    build_args: dict[str, str]
    swaps: list[str] = field(default_factory=list)
    rewritten: bool = False


def for_arch(text: str, arch: str, build_args: dict[str, str] | None = None) -> PlatformBuild:
    """Swap every external base that has an ``arch`` twin; the caller's build args win."""
    from helpers.dockerfile.model import DockerfileError, parse_text

    args = dict(build_args or {})
    try:
        model = parse_text(text, build_args=args)
    except DockerfileError:  # the build itself will say what is wrong, with the line
        return PlatformBuild(text, args)
    lines, swaps, rewritten = text.splitlines(keepends=True), [], False
    for stage in model.stages:
        if stage.parent is not None or stage.is_scratch or "@" in stage.base_raw:
            continue
        var = ARG_ONLY.fullmatch(stage.base_raw)
        if var and var[1] not in (build_args or {}):
            other = twin(model.global_args.get(var[1]) or "", arch)
            if other:
                args[var[1]] = other
                swaps.append(f"{stage.base_raw} -> {other} (build arg)")
        elif "$" not in stage.base_raw:
            other = twin(stage.base_raw, arch)
            index = stage.from_line - 1
            if other and 0 <= index < len(lines):
                pattern = rf"(?<=\s){re.escape(stage.base_raw)}(?=\s|$)"
                lines[index] = re.sub(pattern, other, lines[index], count=1)
                swaps.append(f"{stage.base_raw} -> {other} (FROM line)")
                rewritten = True
    return PlatformBuild("".join(lines), args, list(dict.fromkeys(swaps)), rewritten)


@contextmanager
def build_copy(dockerfile: Path, arch: str, build_args: dict[str, str] | None = None):
    """Yield (Dockerfile path, build args, swaps) to build ``dockerfile`` for ``arch`` here.

    The path is the original when no FROM line changes; else a copy in a temporary directory,
    with the per-Dockerfile ignore file beside it as BuildKit expects. The user's files are never
    written."""
    dockerfile = Path(dockerfile)
    plan = for_arch(dockerfile.read_text(errors="replace"), arch, build_args)
    if not plan.rewritten:
        yield dockerfile, plan.build_args, plan.swaps
        return
    with tempfile.TemporaryDirectory(prefix="dockopt-platform-") as tmp:
        copy = Path(tmp) / dockerfile.name
        copy.write_text(plan.text)
        ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
        if ignore.is_file():
            shutil.copy(ignore, Path(tmp) / ignore.name)
        yield copy, plan.build_args, plan.swaps
