"""DO401: a package manager runs without a BuildKit cache mount, so rebuilds fetch everything again."""

from __future__ import annotations

from helpers.lint.queries import command_lines, installs_dependencies, pip_calls, runs
from helpers.lint.rule import found
from helpers.lint.shell import (
    PACKAGE_MANAGERS,
    cache_mounted,
    package_managers,
    pip_call,
)

CODE = "DO401"
SEVERITY = "warning"
CATEGORY = "build-speed"
TITLE = "Package manager without a BuildKit cache mount"
WHY = ("When a layer re-runs (a manifest changed), the manager downloads and builds every package again. "
       "A cache mount keeps its download/wheel cache between builds without putting it in a layer.")
FIX = "RUN --mount=type=cache,target=<cache dir> ... (pip: /root/.cache/pip; apt: /var/cache/apt and /var/lib/apt)."


def _needs_cache(manager: str, argv: list[str]) -> bool:
    if not PACKAGE_MANAGERS[manager][0](argv):
        return False
    call = pip_call(argv) if manager == "pip" else None
    return call is None or installs_dependencies(call)


def check(model, context):
    for run in runs(model.stages):
        targets = run.cache_mount_targets()
        missing, line = [], None
        for manager in package_managers(run.script):
            if manager == "pip" and not any(installs_dependencies(c) for c in pip_calls(run) if c.tool == "pip"):
                continue  # `pip install --no-deps .` only builds the local package: nothing to cache
            if not cache_mounted(manager, targets):
                missing.append(f"{manager} (cache {PACKAGE_MANAGERS[manager][1][0]})")
                at = next((n for argv, n in command_lines(model, run) if _needs_cache(manager, argv)), run.start_line)
                line = at if line is None else min(line, at)
        if missing:
            yield found(__name__, model, line, f"no cache mount for {', '.join(missing)}")
