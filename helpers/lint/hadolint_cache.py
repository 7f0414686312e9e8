"""hadolint's findings kept on disk by what decides them, so that a re-lint runs hadolint on changed files only.

An entry's key is a SHA-256 of everything hadolint's answer for a file depends on: the binary (its
version, size and modification time), the one configuration file hadolint would read (the working
directory's ``.hadolint.yaml``, else the user's, looked up as hadolint does), its ``HADOLINT_*``
environment, and the Dockerfile's bytes. An entry holds hadolint's own JSON items for the file, so a
hit gives exactly what a run would. Entries live under ``$XDG_CACHE_HOME/dockopt/hadolint``; ``dockopt
lint --no-cache`` neither reads nor writes them, and deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

LOCAL_CONFIGS = (".hadolint.yaml", ".hadolint.yml")


def default_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dockopt" / "hadolint"


def user_config() -> Path | None:
    """The configuration hadolint reads when its working directory has none (hadolint's findConfig order)."""
    home = Path.home()
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    candidates = [xdg / "hadolint.yaml", xdg / "hadolint.yml",
                  *(home / ".hadolint" / name for name in ("hadolint.yaml", "hadolint.yml", "config.yaml", "config.yml")),
                  home / ".hadolint.yaml", home / ".hadolint.yml"]
    return next((path for path in candidates if path.is_file()), None)


def _read(path: Path | None) -> bytes:
    try:
        return path.read_bytes() if path is not None else b""
    except OSError:
        return b"unreadable"  # hadolint fails on it; such runs are never stored


class HadolintCache:
    """Get and put hadolint's items for one file, for one binary and environment."""

    def __init__(self, binary: str, version: str, folder: Path | None = None) -> None:
        self.folder = folder or default_folder()
        stat = os.stat(binary)
        environment = sorted((k, v) for k, v in os.environ.items() if k.startswith("HADOLINT_"))
        self._user_config = _read(user_config())
        self._base = hashlib.sha256(json.dumps(
            [version, stat.st_size, stat.st_mtime_ns, environment]).encode()).digest()
        self.hits = 0

    def key(self, dockerfile: Path, cwd: Path) -> str | None:
        """The key of ``dockerfile`` linted from ``cwd``; None when the file cannot be read (hadolint says why)."""
        try:
            content = Path(dockerfile).read_bytes()
        except OSError:
            return None
        local = next((cwd / name for name in LOCAL_CONFIGS if (cwd / name).is_file()), None)
        config = _read(local) if local is not None else self._user_config
        digest = hashlib.sha256(self._base)
        for part in (config, content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str | None) -> list[dict] | None:
        if key is None:
            return None
        try:
            items = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # absent, or a torn/foreign file: treated as a miss
            return None
        if not isinstance(items, list):
            return None
        self.hits += 1
        return items

    def put(self, key: str | None, items: list[dict]) -> None:
        """Store atomically (a concurrent lint reads a whole entry or none); a cache that cannot be written
        only costs the next run its speed."""
        if key is None:
            return
        path = self._path(key)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(json.dumps(items), encoding="utf-8")
            os.replace(partial, path)
        except OSError:
            partial.unlink(missing_ok=True)
