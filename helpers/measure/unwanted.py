"""Files an image should not ship: VCS history, env files, private keys, model weights, tests, docs.

Looked for in every layer, not only the final filesystem: a key deleted in a later layer is
still in the image (``visible`` says which). Private keys are recognised by content, not by
name (``/etc/ssl/certs/*.pem`` are public certificates), so the scan asks for the bytes of
small files with key-like names.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from helpers.image.archive import FILE, Entry
from helpers.measure.replay import Replay

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".onnx", ".ckpt", ".h5", ".gguf", ".pb")
WEIGHT_THRESHOLD = 10 * 1024 * 1024  # smaller "weights" are fixtures and tokenizer vocabularies
SYSTEM_BIN_DIRS = ("/var/", "/usr/share/", "/usr/lib/", "/lib/", "/boot/")  # apt caches, firmware: not weights
KEY_NAME = re.compile(r"^(id_(rsa|dsa|ecdsa|ed25519)|.*\.(pem|key))$")
KEY_MAX_BYTES = 64 * 1024
PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")
FOLDERS = {"tests": "tests folder", "docs": "docs folder", ".git": ".git"}
_IN_FOLDER = re.compile(r"(?:^|/)(?:tests|docs|\.git)/")  # a FOLDERS name as a directory in the path


@dataclass(frozen=True)
class Unwanted:
    path: str
    kind: str  # ".git", ".env", "private key", "model weights", "tests folder", "docs folder"
    bytes: int
    files: int
    layer: int
    visible: bool


def want_key_candidate(entry: Entry) -> bool:
    """For the scan's ``want``: small files whose name says they might be a key."""
    return entry.size <= KEY_MAX_BYTES and bool(KEY_NAME.match(_basename(entry.path)))


def _basename(path: str) -> str:
    """posixpath.basename without its overhead (called for every file)."""
    return path[path.rfind("/") + 1:]


def _top_folder(path: str) -> str | None:
    """The outermost tests/docs/.git directory containing ``path``."""
    parts = path.split("/")
    for k, part in enumerate(parts[:-1]):
        if part in FOLDERS:
            return "/".join(parts[: k + 1])
    return None


def find(replay: Replay, weight_threshold: int = WEIGHT_THRESHOLD) -> list[Unwanted]:
    found: list[Unwanted] = []
    folders: dict[tuple[str, bool], list] = {}  # (folder, visible) -> [bytes, files, lowest layer]

    def consider(path: str, size: int, layer: int, visible: bool, data: bytes | None) -> None:
        name = _basename(path)
        if name == ".env" or (name.startswith(".env.") and not name.endswith((".example", ".sample"))):
            found.append(Unwanted(path, ".env", size, 1, layer, visible))
        elif data is not None and PRIVATE_KEY.search(data):
            found.append(Unwanted(path, "private key", size, 1, layer, visible))
        elif (name.endswith(WEIGHT_SUFFIXES) and size >= weight_threshold
              and not (name.endswith(".bin") and path.startswith(SYSTEM_BIN_DIRS))):
            found.append(Unwanted(path, "model weights", size, 1, layer, visible))
        folder = _top_folder(path) if _IN_FOLDER.search(path) else None
        if folder:
            totals = folders.setdefault((folder, visible), [0, 0, layer])
            totals[0] += size
            totals[1] += 1
            totals[2] = min(totals[2], layer)

    for path, placed in replay.final.items():
        if placed.entry.type == FILE:
            consider(path, placed.entry.size, placed.layer, True, replay.captured.get(path))
    for h in replay.hidden:
        consider(h.path, h.bytes, h.layer, False, replay.captured_hidden.get((h.path, h.layer)))
    for (folder, visible), (size, files, layer) in sorted(folders.items()):
        found.append(Unwanted(folder, FOLDERS[posixpath.basename(folder)], size, files, layer, visible))
    return found
