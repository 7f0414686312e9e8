"""Which version of dockopt's own code produced a stored result: a digest of all of its source.

A cached measurement or analysis is valid only for the code that made it. Keying it by the whole
package (every file under ``helpers/``, templates and recipes included) rather than by a hand-kept
list of the modules involved means no change can leave a stale result behind: a parser fix changes
the key of every layer table it fed, without anyone remembering that it did.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pandas as pd

PACKAGE = Path(__file__).resolve().parents[1]


@functools.lru_cache(maxsize=None)
def package_digest(package: Path = PACKAGE) -> str:
    """16 hex digits of sha256 over every source file of the package (path and bytes) and pandas'
    version (it shapes the stored frames)."""
    h = hashlib.sha256(pd.__version__.encode())
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}:
            h.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()[:16]
