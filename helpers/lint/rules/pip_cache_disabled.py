"""DO402: pip's (or uv's) cache switched off where a cache mount would make rebuilds reuse it."""

from __future__ import annotations

from helpers.lint.queries import env_flag, installs_dependencies, pip_calls_at, runs
from helpers.lint.rule import found
from helpers.lint.shell import cache_mounted

CODE = "DO402"
SEVERITY = "info"
CATEGORY = "build-speed"
TITLE = "Python package cache disabled instead of kept in a cache mount"
WHY = ("--no-cache-dir (or its abbreviation --no-cache) / PIP_NO_CACHE_DIR keep the cache out of the image, but "
       "also out of every later build: wheels compiled from source are rebuilt each time. A cache mount gets "
       "both. The same holds for uv's --no-cache / UV_NO_CACHE.")
FIX = ("Drop --no-cache-dir and PIP_NO_CACHE_DIR; use RUN --mount=type=cache,target=/root/.cache/pip pip install <packages> "
       "(uv: target=/root/.cache/uv).")
OFF = {"pip": ("--no-cache-dir", "PIP_NO_CACHE_DIR"), "uv": ("--no-cache", "UV_NO_CACHE")}


def check(model, context):
    for run in runs(model.stages):
        calls = [(c, line) for c, line in pip_calls_at(model, run) if installs_dependencies(c)]
        for tool in ("pip", "uv"):
            mine = [(c, line) for c, line in calls if c.tool == tool]
            if not mine:
                continue
            env_line = env_flag(model, run, OFF[tool][1])
            flagged = [line for c, line in mine if c.no_cache_dir]
            how = [OFF[tool][0]] if flagged else []
            if env_line:
                how.append(f"ENV {OFF[tool][1]} (line {env_line})")
            if not how:
                continue
            mounted = cache_mounted(tool, run.cache_mount_targets())
            effect = f"the {tool} cache mount stays empty" if mounted else "the next build downloads and compiles again"
            yield found(__name__, model, flagged[0] if flagged else mine[0][1], f"{tool}: {' and '.join(how)}: {effect}")
