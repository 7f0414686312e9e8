"""Debian version ordering (epochs, ``~`` before everything, revisions), decided by dpkg itself.

``dpkg --compare-versions`` is the reference implementation; reimplementing Debian policy
5.6.12 risks exactly the edge cases (``~rc``, ``+really``) security updates use.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from helpers.errors import DockoptError


class NoDpkg(DockoptError):
    """This machine has no dpkg to order Debian versions with."""


@functools.lru_cache(maxsize=4096)
def less_than(a: str, b: str) -> bool:
    """True when version ``a`` sorts before ``b`` in Debian's ordering."""
    dpkg = shutil.which("dpkg")
    if dpkg is None:
        raise NoDpkg("Comparing Debian package versions needs dpkg, which is not on PATH.",
                     hint="run on a Debian/Ubuntu host (or in the dockopt python image).")
    return subprocess.run([dpkg, "--compare-versions", a, "lt", b], capture_output=True).returncode == 0
