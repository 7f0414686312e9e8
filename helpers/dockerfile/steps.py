"""The Dockerfile as a BuildKit build names it: stages by label, steps by number, bases by reference.

BuildKit's plain progress names a step as ``[stage i/n] INSTRUCTION`` and never says which
Dockerfile line it came from. The model numbers a stage's steps the way BuildKit does
(:attr:`~helpers.dockerfile.model.Stage.vertex_steps`); this module finds the stage a label
means and the external images a build starts from. Readers here must tolerate any file: text
the parser rejects gives no model (None), and a build log is still parsed, its steps just get
no lines.
"""

from __future__ import annotations

import re
from pathlib import Path

from helpers.dockerfile.arguments import substitute
from helpers.dockerfile.model import Dockerfile, Stage, parse_or_none


def read(path: str | Path) -> Dockerfile | None:
    """The model of a Dockerfile on disk, or None when BuildKit's parser reads no instruction in it."""
    return parse_or_none(Path(path).read_text())


def stage_for(model: Dockerfile | None, label: str | None) -> Stage | None:
    """The stage BuildKit calls ``label`` (its name, ``stage-N``, or None for a lone stage)."""
    if model is None:
        return None
    if label is None:
        return model.stages[0] if len(model.stages) == 1 else None
    named = model.stage_named(label)
    if named is not None:
        return named
    match = re.fullmatch(r"stage-(\d+)", label)
    if match and int(match.group(1)) < len(model.stages):
        return model.stages[int(match.group(1))]
    return None


def base_images(model: Dockerfile | None, build_args: dict[str, str] | None = None) -> list[str]:
    """The external images the stages start from (stage references and ``scratch`` left out).

    ARG references take the build args, else the ARG defaults; one with neither stays as written,
    so a message about that base names what is missing.
    """
    if model is None:
        return []
    variables = {**model.global_args, **(build_args or {})}
    names = {s.name.lower() for s in model.stages if s.name}
    out: list[str] = []
    for stage in model.stages:
        ref = substitute(stage.base_raw, variables)
        if ref.lower() in names or ref.lower() == "scratch" or ref in out:
            continue
        out.append(ref)
    return out
