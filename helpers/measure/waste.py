"""Reclaimable bytes, by category, with the paths responsible.

Two kinds of waste, kept apart because they are reclaimed differently:

* hidden: bytes a layer stores that no container can see (deleted or overwritten by a later
  layer; see replay.py). Reclaimed by not writing them: same filesystem, smaller image.
* removable: files visible in the final image that it does not need to run (apt lists and
  caches, pip caches, ``__pycache__``, build tools and headers). Reclaimed by not installing
  or by cleaning in the same layer.

Each path gets one category: what it is when that is known (apt, pip, ``__pycache__``, build
tools), else why it is hidden (deleted later, duplicate copy, overwritten later). A hidden
file overwritten by one of the same size is counted as a duplicate copy; sizes, not
contents, are compared (contents would need a full read of every layer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpers.image.archive import FILE
from helpers.measure.build_tools import is_build_tool_path
from helpers.measure.replay import DELETED, Replay

APT = "apt lists and caches"
PIP = "pip caches"
PYCACHE = "__pycache__"
BUILD_TOOLS = "build tools and headers"
DELETED_LATER = "files deleted later"
DUPLICATES = "duplicate copies"
OVERWRITTEN = "overwritten later"
CATEGORIES = (APT, PIP, PYCACHE, BUILD_TOOLS, DELETED_LATER, DUPLICATES, OVERWRITTEN)

_APT = re.compile(r"^/var/(lib/apt/lists|cache/apt)/")
_PIP = re.compile(r"/\.cache/pip/|^/tmp/pip-")
_PYCACHE = re.compile(r"/__pycache__/|\.py[co]$")
_ANY = re.compile("|".join(p.pattern for p in (_APT, _PIP, _PYCACHE)))  # one search rules most paths out

HIDDEN, REMOVABLE = "hidden", "removable"


@dataclass(frozen=True)
class WasteItem:
    path: str
    layer: int  # the layer that stores the bytes
    bytes: int
    category: str
    kind: str  # HIDDEN or REMOVABLE
    by_layer: int | None = None  # for hidden bytes: the layer that hid them


def category_of_path(path: str, owners: dict[str, str] | None, tool_packages: set[str]) -> str | None:
    if _ANY.search(path):
        if _APT.search(path):
            return APT
        if _PIP.search(path):
            return PIP
        return PYCACHE
    if is_build_tool_path(path, owners, tool_packages):
        return BUILD_TOOLS
    return None


def items(replay: Replay, owners: dict[str, str] | None = None, tool_packages: set[str] | None = None) -> list[WasteItem]:
    """Every reclaimable file, hidden ones first, in layer order."""
    tool_packages = tool_packages or set()
    found: list[WasteItem] = []
    for h in replay.hidden:
        category = category_of_path(h.path, owners, tool_packages)
        if category is None:
            category = DELETED_LATER if h.reason == DELETED else DUPLICATES if h.same_size else OVERWRITTEN
        found.append(WasteItem(h.path, h.layer, h.bytes, category, HIDDEN, h.by_layer))
    for path, placed in replay.final.items():
        if placed.entry.type != FILE or placed.entry.size == 0:
            continue
        category = category_of_path(path, owners, tool_packages)
        if category is not None:
            found.append(WasteItem(path, placed.layer, placed.entry.size, category, REMOVABLE))
    return found


def by_category(found: list[WasteItem]) -> dict[str, int]:
    """Bytes per category, every category present (zero when none)."""
    totals = dict.fromkeys(CATEGORIES, 0)
    for item in found:
        totals[item.category] += item.bytes
    return totals


def hidden_bytes(found: list[WasteItem]) -> int:
    return sum(i.bytes for i in found if i.kind == HIDDEN)


def removable_bytes(found: list[WasteItem]) -> int:
    return sum(i.bytes for i in found if i.kind == REMOVABLE)
