"""Where an engine image's layers are read from: its layer store where it is local, else ``docker save``.

The layer store (``layer_store.LayerStoreImage``) exports nothing but needs a local overlay2
engine whose data root this process can read; ``docker save`` (``archive.SavedImage`` over a
temporary tarball) works with any engine. Both are ``ImageReader``s that give the same answers,
so the caller's work runs unchanged on either. The layer store may refuse at any point, even
half-way through the work (a layer unreadable): the work then runs again on the export, and
the source returned says why.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from helpers.engine import images
from helpers.history.analysis_cache import layer_gzip_sizes, remember_layer_gzip_sizes
from helpers.image.archive import SavedImage
from helpers.image.layer_store import LayerStoreImage, LayerStoreUnavailable
from helpers.image.reader import GZIP_LEVEL, ImageReader

T = TypeVar("T")


def read_image(tag: str, inspect: dict, work: Callable[[ImageReader], T], *, source: str = "auto",
               gzip_history: Path | None = None) -> tuple[T, str]:
    """``work`` done on the image's layers: its result, and where the layers were read from.

    Args:
        tag: the image in the engine (exported by that name when the layer store cannot serve).
        inspect: its ``docker image inspect``.
        source: ``auto`` reads the layer store where it can; ``save`` always exports.
        gzip_history: a history file remembering each layer's gzip size (at ``GZIP_LEVEL``) by
            diff id, so layers shared between images are compressed once. Used with the layer
            store only: its tars are the diff ids' tars by construction, while an archive may
            store a layer compressed.
    """
    why = "asked for"
    if source == "auto":
        try:
            with LayerStoreImage(inspect) as image:
                if gzip_history is not None:
                    image.known_gzip = layer_gzip_sizes(gzip_history, [l.diff_id for l in image.layers], GZIP_LEVEL)
                result = work(image)
                if gzip_history is not None:
                    remember_layer_gzip_sizes(gzip_history, image.computed_gzip, GZIP_LEVEL)
            return result, image.source
        except LayerStoreUnavailable as exc:  # not local, not readable, or a layer unreadable
            why = str(exc)
    with images.saved(tag) as path, SavedImage(path) as image:
        return work(image), f"docker save ({why})"
