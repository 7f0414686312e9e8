"""DO504: model weights or data files copied from the context into the final image."""

from __future__ import annotations

import fnmatch
import posixpath

from helpers.lint.knowledge import MODEL_SUFFIXES, human_bytes
from helpers.lint.rule import found

CODE = "DO504"
SEVERITY = "warning"
CATEGORY = "image-size"
TITLE = "Model or data files baked into the image"
WHY = ("Weights and datasets change on their own schedule and are large: in an image they bloat every "
       "pull and force a rebuild to update. The seed: 'model files should be mounted at runtime'.")
FIX = "Exclude them in the .dockerignore and mount them at run time (docker run -v models:/app/models)."


def _files(scan, source: str):
    source = posixpath.normpath(source).lstrip("/")
    if any(ch in source for ch in "*?["):
        return [f for f in scan.sent if fnmatch.fnmatchcase(f.relpath, source)
                or fnmatch.fnmatchcase(f.relpath.split("/")[0], source)]
    return scan.sent_under(source)


def check(model, context):
    scan = context.scan() if context else None
    if scan is None:
        return
    limit = context.config.large_file_bytes
    for stage in model.final_lineage():
        for item in stage.instructions:
            if not item.is_context_copy:
                continue
            heavy = {f.relpath: f.size for src in item.copy_sources for f in _files(scan, src)
                     if f.relpath.lower().endswith(MODEL_SUFFIXES) and f.size >= limit}
            if heavy:
                biggest = sorted(heavy.items(), key=lambda kv: -kv[1])[:3]
                listed = ", ".join(f"{path} ({human_bytes(size)})" for path, size in biggest)
                more = f" and {len(heavy) - 3} more" if len(heavy) > 3 else ""
                yield found(__name__, model, item.start_line,
                            f"copies {listed}{more}: {human_bytes(sum(heavy.values()))} in all")
