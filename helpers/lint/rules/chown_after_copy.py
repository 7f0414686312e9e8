"""DO505: ``RUN chown -R`` of a directory a COPY just filled: every copied byte is stored twice."""

from __future__ import annotations

import fnmatch
import posixpath

from helpers.lint.knowledge import human_bytes
from helpers.lint.rule import found
from helpers.lint.shell import recursive_chown, simple_commands

CODE = "DO505"
SEVERITY = "warning"
CATEGORY = "image-size"
TITLE = "chown -R after COPY stores the files twice"
WHY = ("A layer records every file whose ownership changes as a whole new copy, so `RUN chown -R` of a "
       "directory a COPY filled ships those bytes twice: once root-owned in the COPY layer, once more in the "
       "chown layer (dive counts it as wasted space).")
FIX = "Set the owner while copying: `COPY --chown=user:group SRC DEST`, and drop the recursive chown."


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _sent_bytes(scan, item) -> int | None:
    """What a context COPY sends (None for --from copies, URLs, or no context)."""
    if scan is None or item.cmd != "COPY" or not item.is_context_copy or len(item.copy_sources) != len(item.value) - 1:
        return None
    total = 0
    for source in item.copy_sources:
        source = posixpath.normpath(source).lstrip("/")
        if any(ch in source for ch in "*?["):
            total += sum(f.size for f in scan.sent if fnmatch.fnmatchcase(f.relpath, source))
        else:
            total += sum(f.size for f in scan.sent_under(source))
    return total


def check(model, context):
    scan = context.scan() if context else None
    for stage in model.stages:
        workdir = "/"
        copies: list[tuple[str, object]] = []  # (destination, instruction)
        for item in stage.instructions:
            if item.cmd == "WORKDIR" and item.value:
                workdir = posixpath.normpath(posixpath.join(workdir, item.value[0]))
            elif item.cmd in ("COPY", "ADD") and item.value and not item.heredocs and \
                    not any(f.lower().startswith("--chown") for f in item.flags):
                copies.append((posixpath.normpath(posixpath.join(workdir, item.value[-1])), item))
            elif item.cmd == "RUN":
                for argv in simple_commands(item.script):
                    chown = recursive_chown(argv)
                    if chown is None:
                        continue
                    for path in chown[1]:
                        if "$" in path or any(ch in path for ch in "*?["):
                            continue
                        target = posixpath.normpath(posixpath.join(workdir, path))
                        filled = [c for dest, c in copies if _under(dest, target)]
                        if not filled:
                            continue
                        lines = ", ".join(str(c.start_line) for c in filled)
                        sizes = [_sent_bytes(scan, c) for c in filled]
                        if all(s is not None for s in sizes):
                            what = f"the {human_bytes(sum(sizes))} that COPY line(s) {lines} sent into {target} " \
                                   "are stored twice"
                        else:
                            what = f"{target}, filled by COPY line(s) {lines}, is stored twice"
                        yield found(__name__, model, item.start_line, f"chown -R {chown[0]} {path}: {what}")
