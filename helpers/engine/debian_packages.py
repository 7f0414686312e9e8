"""Install the Debian packages dockopt's engine tier needs, where that is possible (Debian, root)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from helpers.errors import DockoptError

_updated = False


def can_install() -> bool:
    return Path("/etc/debian_version").exists() and os.geteuid() == 0 and bool(shutil.which("apt-get"))


def ensure(package: str, binary: str, why: str) -> str:
    """Return the path of ``binary``, installing ``package`` with apt-get first if it is missing."""
    global _updated
    found = shutil.which(binary) or next((p for p in (f"/usr/sbin/{binary}", f"/usr/bin/{binary}")
                                          if os.access(p, os.X_OK)), None)
    if found:
        return found
    if not can_install():
        raise DockoptError(
            f"`{binary}` is not installed; dockopt needs it {why}.",
            hint=f"install the `{package}` package (dockopt installs it itself only on Debian, as root).",
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    steps = ([] if _updated else [["apt-get", "update", "-qq"]]) + [["apt-get", "install", "-y", "-qq", package]]
    for cmd in steps:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise DockoptError(
                f"`{' '.join(cmd)}` failed (exit {proc.returncode}) while installing {package}.",
                hint="check that Debian's package mirror is reachable, then try again.",
                evidence=proc.stderr[-2000:],
            )
    _updated = True
    return shutil.which(binary) or f"/usr/sbin/{binary}"
