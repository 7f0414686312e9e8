"""Replay an image's layers, bottom first, into the filesystem a container sees.

This is one documented algorithm (like dive's ``filetree/efficiency.go``) with a different
count: every byte stored in a layer is either *visible* in the final filesystem or *hidden*,
because a later layer overwrote its path, deleted it (a whiteout) or hid its directory (an
opaque marker). Hidden bytes are what a rebuild that never wrote them would save: every copy
of a path but the visible one, and every copy of a path deleted later. dive instead adds up
every copy of any path seen in more than one layer, the visible one included.

Per layer, a content size is also kept: the sum of its regular files' sizes, which is how the
engine sizes a layer it applied from a tar (``docker history`` SIZE; their sum is ``docker
image inspect`` Size). A layer made by ``docker import`` is sized from the unpacked directory
instead, which also counts each symlink's target length: ``symlink_bytes`` keeps that apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from helpers.image.archive import DIR, FILE, OPAQUE, SYMLINK, WHITEOUT, Entry, Layer
from helpers.image.reader import GZIP_LEVEL, ImageReader

DELETED, OVERWRITTEN = "deleted later", "overwritten later"


@dataclass(frozen=True, slots=True)
class Placed:
    layer: int
    entry: Entry


@dataclass(frozen=True, slots=True)
class Hidden:
    """Bytes a layer stores that no container can see."""

    path: str
    layer: int  # the layer that stored them
    bytes: int
    reason: str  # DELETED or OVERWRITTEN
    by_layer: int  # the layer that hid them
    same_size: bool = False  # overwritten by a file of the same size: most likely a duplicate copy


@dataclass
class LayerFacts:
    layer: Layer
    content_bytes: int = 0  # regular files' sizes: the engine's layer size
    symlink_bytes: int = 0  # lengths of symlink targets (counted by the engine for imported layers only)
    files: int = 0
    whiteouts: int = 0
    gzip_bytes: int | None = None  # the layer tar gzipped at GZIP_LEVEL, when asked for


@dataclass
class Replay:
    """The final filesystem and what the layers store beyond it."""

    layers: list[LayerFacts]
    final: dict[str, Placed]  # path -> the visible version
    hidden: list[Hidden]
    captured: dict[str, bytes] = field(default_factory=dict)  # visible contents asked for by ``want``
    captured_hidden: dict[tuple[str, int], bytes] = field(default_factory=dict)  # (path, layer) -> bytes

    @property
    def content_bytes(self) -> int:
        return sum(f.content_bytes for f in self.layers)

    @property
    def visible_bytes(self) -> int:
        return sum(p.entry.size for p in self.final.values() if p.entry.type == FILE)

    @property
    def hidden_bytes(self) -> int:
        return sum(h.bytes for h in self.hidden)

    @property
    def gzip_bytes(self) -> int | None:
        sizes = [f.gzip_bytes for f in self.layers]
        return None if any(s is None for s in sizes) else sum(sizes)


def _parent(path: str) -> str:
    """posixpath.dirname for the normalised absolute paths entries carry, without its overhead."""
    return path[:path.rfind("/")] or "/"


class _Tree:
    """Paths with a child index, so deleting a directory finds its contents without a full scan."""

    def __init__(self) -> None:
        self.placed: dict[str, Placed] = {}
        self.children: dict[str, set[str]] = {}
        self.captured: dict[str, bytes] = {}

    def put(self, path: str, placed: Placed, data: bytes | None) -> None:
        if path not in self.placed and path != "/":
            self.children.setdefault(_parent(path), set()).add(path)
        self.placed[path] = placed
        if data is not None:
            self.captured[path] = data
        else:
            self.captured.pop(path, None)

    def descendants(self, path: str) -> list[str]:
        found, stack = [], [path]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                found.append(child)
                stack.append(child)
        return found

    def remove(self, path: str) -> Placed | None:
        placed = self.placed.pop(path, None)
        if placed is not None and path != "/":
            siblings = self.children.get(_parent(path))
            if siblings:
                siblings.discard(path)
        self.children.pop(path, None)
        self.captured.pop(path, None)
        return placed


def replay(image: ImageReader, want: Callable[[Entry], bool] | None = None, gzip: bool = False) -> Replay:
    """Apply every layer in order and account for every byte.

    Args:
        want: regular files whose contents to keep (dpkg status, key candidates): the visible
            version ends up in ``captured``, hidden versions in ``captured_hidden``.
        gzip: also compress each layer tar at GZIP_LEVEL to learn its registry size; this reads
            every byte (a few seconds per 100 MB) where the default pass only reads headers.
            The reader compresses its own layers (the layer store rebuilds their tars and
            compresses them in parallel; an archive compresses each layer as it stores it).
    """
    tree = _Tree()
    hidden: list[Hidden] = []
    facts: list[LayerFacts] = []
    captured_hidden: dict[tuple[str, int], bytes] = {}

    def hide(path: str, by: int, reason: str, same_size: bool = False) -> None:
        data = tree.captured.get(path)
        placed = tree.remove(path)
        if placed is None:
            return
        if data is not None:
            captured_hidden[(path, placed.layer)] = data
        if placed.entry.type == FILE:
            hidden.append(Hidden(path, placed.layer, placed.entry.size, reason, by, same_size))

    def hide_tree(path: str, by: int, include_self: bool) -> None:
        for child in sorted(tree.descendants(path), key=len, reverse=True):
            if tree.placed[child].layer < by:
                hide(child, by, DELETED)
        if include_self:
            hide(path, by, DELETED)

    sizes = image.compressed_sizes(GZIP_LEVEL) if gzip else None
    for layer in image.layers:
        fact = LayerFacts(layer)
        for entry in image.entries(layer, want=want):
            path, i = entry.path, layer.index
            if entry.type == WHITEOUT:
                fact.whiteouts += 1
                if path in tree.placed:
                    hide_tree(path, i, include_self=True)
                continue
            if entry.type == OPAQUE:
                fact.whiteouts += 1
                hide_tree(path, i, include_self=False)
                continue
            if entry.type == FILE:
                fact.content_bytes += entry.size
                fact.files += 1
            elif entry.type == SYMLINK:
                fact.symlink_bytes += len(entry.linkname)
            previous = tree.placed.get(path)
            if previous is not None and previous.layer < i:
                if previous.entry.type == DIR and entry.type != DIR:
                    hide_tree(path, i, include_self=True)
                elif previous.entry.type != DIR:
                    same = previous.entry.type == entry.type == FILE and previous.entry.size == entry.size
                    hide(path, i, OVERWRITTEN, same_size=same)
            kept = entry if entry.data is None else Entry(entry.path, entry.type, entry.size, entry.mode,
                                                          entry.uid, entry.gid, entry.linkname)
            tree.put(path, Placed(i, kept), entry.data)  # the tree keeps no contents in its entries
        if sizes is not None:
            fact.gzip_bytes = sizes[layer.index]
        facts.append(fact)
    return Replay(facts, tree.placed, hidden, tree.captured, captured_hidden)
