"""DO601: no .dockerignore at all, so the whole context (with .git, tests, outputs) is sent."""

from __future__ import annotations

from collections import Counter

from helpers.lint.knowledge import human_bytes, junk_kind
from helpers.lint.rule import found

CODE = "DO601"
SEVERITY = "warning"
CATEGORY = "best-practice"
TITLE = "No .dockerignore"
WHY = ("Every build uploads the whole context to the engine before the first step, and `COPY . .` puts "
       "all of it in the image: history, tests, outputs, archives, weights.")
FIX = "Add `<Dockerfile>.dockerignore` or `.dockerignore` excluding .git, tests/, docs/, outputs, archives, models."


def junk_summary(scan, large_bytes: int) -> tuple[int, str]:
    """Bytes of sent files no image needs, and 'tests 12 KB, docs 3 KB' by kind, largest first."""
    by_kind: Counter[str] = Counter()
    for f in scan.sent:
        kind = junk_kind(f.relpath, f.size, large_bytes)
        if kind:
            by_kind[kind] += f.size
    listed = ", ".join(f"{kind} {human_bytes(size)}" for kind, size in by_kind.most_common())
    return sum(by_kind.values()), listed


def check(model, context):
    scan = context.scan() if context else None
    if scan is None or scan.ignore_file is not None:
        return
    junk, listed = junk_summary(scan, context.config.large_file_bytes)
    detail = f"all {len(scan.files)} files ({human_bytes(scan.total_bytes)}) of {scan.root} are sent"
    if junk:
        detail += f"; {human_bytes(junk)} of it need not be ({listed})"
    yield found(__name__, model, None, detail)
