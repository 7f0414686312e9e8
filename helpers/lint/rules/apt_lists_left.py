"""DO502: apt package lists left in a layer of the final image (cleaned later or not at all)."""

from __future__ import annotations

from helpers.lint.queries import line_of, runs
from helpers.lint.rule import found
from helpers.lint.shell import cache_mounted, is_apt, simple_commands

CODE = "DO502"
SEVERITY = "warning"
CATEGORY = "image-size"
TITLE = "apt lists not removed in the same layer"
WHY = ("`apt-get update` writes ~20-50 MB of lists to /var/lib/apt/lists. Deleting them in a later RUN "
       "hides them but the earlier layer still ships them. Builder stages do not matter.")
FIX = "End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount /var/lib/apt as a cache."
CLEAN = "/var/lib/apt/lists"


def _fetches_lists(argv) -> bool:
    return is_apt(argv) and ("update" in argv or "install" in argv)


def _updates(run) -> bool:
    return any(_fetches_lists(a) for a in simple_commands(run.script))


def check(model, context):
    lineage_runs = list(runs(model.final_lineage()))
    for index, run in enumerate(lineage_runs):
        if not _updates(run) or CLEAN in run.script or cache_mounted("apt", run.cache_mount_targets()):
            continue
        later = next((r for r in lineage_runs[index + 1:] if CLEAN in r.script), None)
        detail = (f"removed only at line {later.start_line}, a later layer, which does not shrink the image"
                  if later else "never removed")
        yield found(__name__, model, line_of(model, run, _fetches_lists), detail)
