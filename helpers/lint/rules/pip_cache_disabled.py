"""DO402: pip's cache switched off where a cache mount would make rebuilds reuse it."""

from __future__ import annotations

from helpers.lint.queries import env_flag, installs_dependencies, pip_calls, runs
from helpers.lint.rule import found
from helpers.lint.shell import cache_mounted

CODE = "DO402"
SEVERITY = "info"
CATEGORY = "build-speed"
TITLE = "pip cache disabled instead of kept in a cache mount"
WHY = ("--no-cache-dir / PIP_NO_CACHE_DIR keep the cache out of the image, but also out of every later "
       "build: wheels compiled from source are rebuilt each time. A cache mount gets both.")
FIX = "Drop --no-cache-dir and PIP_NO_CACHE_DIR; use RUN --mount=type=cache,target=/root/.cache/pip pip install <packages>"


def check(model, context):
    for run in runs(model.stages):
        calls = [c for c in pip_calls(run) if installs_dependencies(c)]
        if not calls:
            continue
        env_line = env_flag(model, run, "PIP_NO_CACHE_DIR")
        how = []
        if any(c.no_cache_dir for c in calls):
            how.append("--no-cache-dir")
        if env_line:
            how.append(f"ENV PIP_NO_CACHE_DIR (line {env_line})")
        if not how:
            continue
        mounted = cache_mounted("pip", run.cache_mount_targets())
        effect = "the pip cache mount stays empty" if mounted else "the next build downloads and compiles again"
        yield found(__name__, model, run.start_line, f"{' and '.join(how)}: {effect}")
