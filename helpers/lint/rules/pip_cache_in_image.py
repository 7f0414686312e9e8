"""DO501: pip's download/wheel cache written into a layer of the final image."""

from __future__ import annotations

import re

from helpers.lint.queries import env_flag, installs_dependencies, pip_calls, runs
from helpers.lint.rule import found
from helpers.lint.shell import cache_mounted

CODE = "DO501"
SEVERITY = "warning"
CATEGORY = "image-size"
TITLE = "pip cache left in the image"
WHY = ("pip keeps every downloaded wheel under ~/.cache/pip; in a layer of the final image that is often "
       "as large as the packages themselves. Builder stages do not matter: their cache never ships.")
FIX = "RUN --mount=type=cache,target=/root/.cache/pip pip install ... (or pip install --no-cache-dir)."
PURGE = re.compile(r"pip[0-9.]* cache purge|rm -[a-z]*r[a-z]* [^;&|]*\.cache")


def check(model, context):
    for run in runs(model.final_lineage()):
        calls = [c for c in pip_calls(run) if installs_dependencies(c)]
        if not calls or all(c.no_cache_dir for c in calls) or env_flag(model, run, "PIP_NO_CACHE_DIR"):
            continue
        if cache_mounted("pip", run.cache_mount_targets()) or PURGE.search(run.script):
            continue
        yield found(__name__, model, run.start_line, "pip install without --no-cache-dir or a cache mount")
