"""What measurements and security checks read of an image, wherever its layers come from.

One interface with one implementation per source, as dive's ``image.Resolver``:
``archive.SavedImage`` reads a ``docker save`` tarball, ``layer_store.LayerStoreImage`` reads a
local engine's overlay2 layer store without exporting anything, and ``source.read_image``
chooses between them. For the same image both give the same config, history, layers and
entries, in the same order, and the same compressed sizes (tests/unit/image/test_reader.py on
a recorded image, tests/integration/test_layerstore_engine.py on the engine), so ``measure``
and ``security`` take any ``ImageReader`` and cannot tell which one they were given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol, runtime_checkable

from helpers.image.archive import Entry, HistoryEntry, Layer

GZIP_LEVEL = 6  # gzip's and Go's compress/gzip default, which `docker push` uses for layer blobs


@runtime_checkable
class ImageReader(Protocol):
    """An opened image. Entry types and paths are as ``archive.classify`` gives them."""

    config: dict  # the image config: rootfs.diff_ids, history, config (User, Env, Healthcheck...)
    history: list[HistoryEntry]  # every history entry, oldest first, those that made no layer included
    layers: list[Layer]  # bottom layer first, each with the history entry that made it
    repo_tags: list[str]  # the names the image was stored under, when known

    def entries(self, layer: Layer, want: Callable[[Entry], bool] | None = None) -> Iterator[Entry]:
        """Every member of one layer, in the order its tar holds them.

        Args:
            want: called on each regular file; where it returns True the entry carries the
                file's bytes in ``data``.
        """
        ...

    def walk(self, want: Callable[[Entry], bool] | None = None) -> Iterator[tuple[Layer, Entry]]:
        """Every entry of every layer, bottom layer first."""
        ...

    def compressed_sizes(self, level: int) -> list[int]:
        """Each layer's tar gzipped at ``level`` (what a registry stores for it), one per layer.
        Reads every byte, where ``entries`` only reads headers and the files wanted."""
        ...

    def close(self) -> None:
        ...
