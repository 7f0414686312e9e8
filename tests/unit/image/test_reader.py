"""Both readers are ``ImageReader``s and give the same answers on the same recorded image: the
archive reader on a ``docker save`` fixture, the layer-store reader on the layer store an engine
keeps for that very image (same config bytes, same layer tars)."""

from __future__ import annotations

import gzip
import shutil

import pytest

from helpers.image.archive import SavedImage
from helpers.image.layer_store import LayerStoreImage
from helpers.image.reader import GZIP_LEVEL, ImageReader
from helpers.measure.report import analyse, want
from helpers.security.scan import scan_opened
from tests.unit.conftest import TINY_DOCKERFILE
from tests.unit.image.conftest import store_from_archive
from tests.unit.security.conftest import BUILD_SECRET, PLANTED_DOCKERFILE, recorded_index
from tests.unit.security.conftest import FIXTURES as SECURITY_FIXTURES


def test_both_readers_are_image_readers(tiny, tiny_store):
    assert isinstance(tiny, ImageReader)
    assert isinstance(tiny_store, ImageReader)


def test_a_reader_without_compressed_sizes_is_not_one(tiny):
    class NoSizes:  # every other member of the protocol
        config, history, layers, repo_tags = tiny.config, tiny.history, tiny.layers, tiny.repo_tags

        def entries(self, layer, want=None):
            return tiny.entries(layer, want)

        def walk(self, want=None):
            return tiny.walk(want)

        def close(self):
            pass

    assert not isinstance(NoSizes(), ImageReader)


def made_by(image: ImageReader) -> list[tuple]:
    return [(layer.index, layer.diff_id, layer.history) for layer in image.layers]


def test_both_readers_give_the_same_image(tiny, tiny_store):
    assert tiny_store.config == tiny.config
    assert tiny_store.history == tiny.history and made_by(tiny_store) == made_by(tiny)
    assert tiny_store.repo_tags == tiny.repo_tags == ["dockopt-measure/tiny:fixture"]
    read = 0
    for ours, theirs in zip(tiny_store.layers, tiny.layers, strict=True):
        mine, exported = list(tiny_store.entries(ours, want=want)), list(tiny.entries(theirs, want=want))
        assert mine == exported, f"layer {ours.index}"
        assert [e.data for e in mine] == [e.data for e in exported], f"layer {ours.index}"
        read += sum(e.data is not None for e in mine)
    assert read, "the fixture holds files analysis wants (/etc/passwd, a key): their bytes are compared"
    assert [(layer.index, e) for layer, e in tiny_store.walk()] == [(layer.index, e) for layer, e in tiny.walk()]
    assert tiny_store.compressed_sizes(GZIP_LEVEL) == tiny.compressed_sizes(GZIP_LEVEL)


def test_both_readers_give_the_same_report(tiny, tiny_store):
    text = TINY_DOCKERFILE.read_text()
    ours, theirs = analyse(tiny_store, None, text), analyse(tiny, None, text)
    assert ours.summary() == theirs.summary()
    assert ours.sizes.compressed_bytes > 0 and ours.waste_rows and ours.unwanted_rows
    assert (ours.waste_rows, ours.unwanted_rows) == (theirs.waste_rows, theirs.unwanted_rows)


@pytest.fixture(scope="module")
def planted_tar(tmp_path_factory):
    target = tmp_path_factory.mktemp("planted") / "planted.tar"
    with gzip.open(SECURITY_FIXTURES / "planted.tar.gz", "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def test_both_readers_give_the_same_security_scan(planted_tar, tmp_path):
    def scan(image: ImageReader):
        return scan_opened(image, "planted", PLANTED_DOCKERFILE.read_text(), (BUILD_SECRET,), {}, recorded_index,
                           (0, "recorded"), None, "")

    with SavedImage(planted_tar) as saved, LayerStoreImage(store_from_archive(tmp_path, planted_tar)) as store:
        theirs, ours = scan(saved), scan(store)
    assert any(f.deleted_later for f in ours.finding_list), "a key deleted in a later layer is read from its layer"
    assert ours.finding_list == theirs.finding_list
    assert (ours.points, ours.grade, ours.breakdown_rows, ours.not_run) == \
        (theirs.points, theirs.grade, theirs.breakdown_rows, theirs.not_run)
    assert ours.os == theirs.os and ours.os.count
    assert ours.sbom["components"] == theirs.sbom["components"]
