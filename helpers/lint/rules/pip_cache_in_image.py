"""DO501: pip's (or uv's) download/wheel cache written into a layer of the final image."""

from __future__ import annotations

import re

from helpers.lint.queries import env_flag, installs_dependencies, pip_calls_at, runs
from helpers.lint.rule import found
from helpers.lint.shell import cache_mounted

CODE = "DO501"
SEVERITY = "warning"
CATEGORY = "image-size"
TITLE = "Python package cache left in the image"
WHY = ("pip keeps every downloaded wheel under ~/.cache/pip (`uv pip` under ~/.cache/uv); in a layer of the "
       "final image that is often as large as the packages themselves. Builder stages do not matter: their "
       "cache never ships.")
FIX = ("RUN --mount=type=cache,target=/root/.cache/pip pip install ... (or pip install --no-cache-dir); "
       "for uv: --mount=type=cache,target=/root/.cache/uv, or uv pip install --no-cache.")
PURGE = {"pip": re.compile(r"pip[0-9.]* cache purge|rm -[a-z]*r[a-z]* [^;&|]*\.cache"),
         "uv": re.compile(r"uv cache (clean|prune)|rm -[a-z]*r[a-z]* [^;&|]*\.cache")}
OFF = {"pip": ("--no-cache-dir", "PIP_NO_CACHE_DIR"), "uv": ("--no-cache", "UV_NO_CACHE")}
OTHER = {"pip": "uv", "uv": "pip"}


def check(model, context):
    for run in runs(model.final_lineage()):
        targets = run.cache_mount_targets()
        for call, line in pip_calls_at(model, run):
            tool = call.tool
            if not installs_dependencies(call) or call.no_cache_dir or env_flag(model, run, OFF[tool][1]):
                continue
            if cache_mounted(tool, targets) or PURGE[tool].search(run.script):
                continue
            detail = f"{' '.join(call.argv[:3 if tool == 'uv' else 2])} without {OFF[tool][0]} or a {tool} cache mount"
            if cache_mounted(OTHER[tool], targets):
                detail += f" (the cache mount there is {OTHER[tool]}'s, not {tool}'s)"
            yield found(__name__, model, line, detail)
            break
