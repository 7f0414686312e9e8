"""Names dockopt gives the images it builds: readable, and never shared by two projects.

A repository named after the context folder alone collides across projects (every ``app/``
or ``src/``), so one project's report would build over, measure or remove another's image.
The name therefore carries a short hash of the context's resolved path as well.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


def path_hash(context: Path | str) -> str:
    """8 hex digits of the sha256 of the context's resolved path."""
    return hashlib.sha256(str(Path(context).expanduser().resolve()).encode()).hexdigest()[:8]


def context_slug(context: Path | str, name: str | None = None) -> str:
    """``<name or folder>-<path hash>``, a valid image repository component (lowercase, dashes)."""
    readable = re.sub(r"[^a-z0-9]+", "-", (name or Path(context).expanduser().resolve().name).lower())
    return f"{readable.strip('-')[:40].strip('-') or 'project'}-{path_hash(context)}"
