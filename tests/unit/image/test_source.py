"""The one choice of reader for an engine image: the layer store where it can serve, else
``docker save``, redone on the export when the layer store refuses half-way.

The export here is the recorded ``docker save`` of the same image (``images.saved`` is the one
engine call, replaced by that recording); tests/integration/test_layerstore_engine.py runs both
paths on a real engine.
"""

from __future__ import annotations

import contextlib

import pytest

from helpers.engine import images
from helpers.history.analysis_cache import layer_gzip_sizes
from helpers.image import source
from helpers.image.archive import SavedImage
from helpers.image.layer_store import SOURCE, LayerStoreImage
from helpers.image.reader import GZIP_LEVEL
from tests.unit.image.conftest import store_from_archive

TAG = "dockopt-measure/tiny:fixture"


@pytest.fixture()
def exports(monkeypatch, tiny_tar):
    """Each tag ``images.saved`` is asked for; it yields the recorded archive of the tiny image."""
    asked = []

    @contextlib.contextmanager
    def saved(tag, cli=None, directory=None):
        asked.append(tag)
        yield tiny_tar

    monkeypatch.setattr(images, "saved", saved)
    return asked


def kind(image) -> str:
    return type(image).__name__


def test_the_layer_store_serves_where_it_can(tmp_path, tiny_tar, exports):
    inspect = store_from_archive(tmp_path, tiny_tar)
    result, where = source.read_image(TAG, inspect, kind)
    assert (result, where, exports) == ("LayerStoreImage", SOURCE, [])


def test_an_unusable_layer_store_falls_back_to_docker_save_and_says_why(tmp_path, tiny_tar, exports):
    inspect = store_from_archive(tmp_path, tiny_tar)
    inspect["GraphDriver"]["Name"] = "vfs"
    result, where = source.read_image(TAG, inspect, kind)
    assert (result, where, exports) == ("SavedImage", "docker save (storage driver is vfs, not overlay2)", [TAG])


def test_a_layer_store_refusing_half_way_redoes_the_work_on_the_export(tmp_path, tiny_tar, exports):
    inspect = store_from_archive(tmp_path, tiny_tar)
    next(tmp_path.glob("overlay2/cache*/diff/app/main.py")).unlink()  # its layer can no longer be read in full
    seen = []

    def work(image):
        seen.append(kind(image))
        return [e.data for _, e in image.walk(want=lambda e: e.path == "/app/main.py")]

    result, where = source.read_image(TAG, inspect, work)
    assert seen == ["LayerStoreImage", "SavedImage"] and exports == [TAG]
    assert where.startswith("docker save (layer ") and "cannot be read from the layer store" in where
    assert b'print("hello")\n' in result


def test_save_is_used_when_asked_for(tmp_path, tiny_tar, exports):
    inspect = store_from_archive(tmp_path, tiny_tar)
    assert source.read_image(TAG, inspect, kind, source="save") == ("SavedImage", "docker save (asked for)")


def test_layer_gzip_sizes_are_remembered_and_reused_from_the_layer_store_only(tmp_path, tiny_tar, exports):
    history = tmp_path / "history.sqlite"
    inspect = store_from_archive(tmp_path / "root", tiny_tar)
    sizes, _ = source.read_image(TAG, inspect, lambda image: image.compressed_sizes(GZIP_LEVEL), gzip_history=history)
    diff_ids = [layer.diff_id for layer in LayerStoreImage(inspect).layers]
    assert layer_gzip_sizes(history, diff_ids, GZIP_LEVEL) == dict(zip(diff_ids, sizes))
    known, _ = source.read_image(TAG, inspect, lambda image: image.known_gzip, gzip_history=history)
    assert known == dict(zip(diff_ids, sizes))
    with SavedImage(tiny_tar) as saved:
        assert saved.compressed_sizes(GZIP_LEVEL) == sizes  # the same tars: the same sizes either way
    other = tmp_path / "other.sqlite"
    source.read_image(TAG, inspect, lambda image: image.compressed_sizes(GZIP_LEVEL), source="save",
                      gzip_history=other)
    assert layer_gzip_sizes(other, diff_ids, GZIP_LEVEL) == {}
