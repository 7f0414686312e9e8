"""The engine's layer store and ``docker save`` give the same layers, entry for entry.

An image whose last layer deletes a file, replaces a directory (``rm -rf`` then ``mkdir``: an
opaque directory or whiteouts, as the engine's differ writes it), overwrites a file and holds
a hard link is read both ways; every per-layer entry list, every figure of the report and the
waste rows must match. The image is removed afterwards.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers.engine import buildkit, images
from helpers.image.archive import OPAQUE, WHITEOUT, SavedImage
from helpers.image.gzip_size import gzip_stream
from helpers.image.inspection import measure_image
from helpers.image.layer_store import SOURCE, LayerStoreImage
from helpers.measure.replay import GZIP_LEVEL
from helpers.measure.report import want
from tests.integration.conftest import BASE

TAG = f"{os.environ.get('DOCKOPT_TEST_PREFIX', 'dockopt-test')}/layerstore:edits"
DOCKERFILE = f"""FROM {BASE}
RUN mkdir -p /data /opq/sub && echo keep > /data/keep.txt && head -c 100000 /dev/urandom > /data/gone.bin \\
    && echo a > /opq/a.txt && echo b > /opq/sub/b.txt && echo one > /over.txt && ln /data/keep.txt /data/keep-link \\
    && mkdir -p /var/lib/apt/lists && head -c 5000 /dev/urandom > /var/lib/apt/lists/fake_Packages
RUN rm /data/gone.bin && rm -rf /opq && mkdir /opq && echo c > /opq/c.txt && echo overwritten, longer > /over.txt
"""


@pytest.fixture(scope="module")
def edits(engine, tmp_path_factory):
    context = tmp_path_factory.mktemp("layerstore-context")
    (context / "Dockerfile").write_text(DOCKERFILE)
    buildkit.build(context, context / "Dockerfile", TAG)
    yield TAG, context / "Dockerfile"
    engine.images.remove(TAG, force=True)


def test_layer_store_entries_equal_the_saved_tar(edits):
    tag, _ = edits
    inspect = images.inspect(tag)
    store = LayerStoreImage(inspect)
    with images.saved(tag) as path, SavedImage(path) as saved:
        assert [layer.diff_id for layer in store.layers] == [layer.diff_id for layer in saved.layers]
        assert store.config == saved.config
        for ours, theirs in zip(store.layers, saved.layers):
            mine, exported = list(store.entries(ours, want=want)), list(saved.entries(theirs, want=want))
            assert mine == exported, f"layer {ours.index}"
            assert [e.data for e in mine] == [e.data for e in exported], f"layer {ours.index}"
    last = list(store.entries(store.layers[-1]))
    kinds = {(e.path, e.type) for e in last}
    assert ("/data/gone.bin", WHITEOUT) in kinds
    assert ("/opq", OPAQUE) in kinds or ("/opq/a.txt", WHITEOUT) in kinds  # the differ's choice


def test_both_sources_give_the_same_report(edits):
    tag, dockerfile = edits
    store = measure_image(tag, dockerfile, compressed=False)
    saved = measure_image(tag, dockerfile, compressed=False, source="save")
    assert store.source == SOURCE
    assert saved.source == "docker save (asked for)"
    ours, theirs = store.summary(), saved.summary()
    assert ours.pop("source") != theirs.pop("source")
    assert ours == theirs
    assert store.layer_rows == saved.layer_rows
    assert Counter(map(repr, store.waste_rows)) == Counter(map(repr, saved.waste_rows))
    assert store.waste_by_category == saved.waste_by_category
    assert store.reclaimable_bytes == saved.reclaimable_bytes and store.hidden_bytes == saved.hidden_bytes
    hidden = {row["path"]: row for row in store.waste_rows if row["kind"] == "hidden" and row["stage"] != "base image"}
    assert hidden["/data/gone.bin"]["bytes"] == 100000 and hidden["/data/gone.bin"]["category"] == "files deleted later"
    assert {"/opq/a.txt", "/opq/sub/b.txt", "/over.txt"} <= set(hidden)


def one_stream_size(chunks, level: int) -> int:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return sum(len(compressor.compress(chunk)) for chunk in chunks) + len(compressor.flush())


def gunzipped_digest(stream: bytes) -> str:
    inflate, digest = zlib.decompressobj(16 + zlib.MAX_WBITS), hashlib.sha256()
    for start in range(0, len(stream), 1 << 20):
        digest.update(inflate.decompress(stream[start:start + (1 << 20)]))
    digest.update(inflate.flush())
    assert inflate.eof
    return "sha256:" + digest.hexdigest()


def read_chunks(fh):
    while chunk := fh.read(1 << 20):
        yield chunk


@pytest.mark.parametrize("tag", [None, BASE])  # the edits image, and a base image of real size
def test_rebuilt_layer_tars_are_the_exported_ones(edits, tag):
    tag = tag or edits[0]
    store = LayerStoreImage(images.inspect(tag))
    facts = store.stream_facts(GZIP_LEVEL, digest=True)
    # sha256 of each rebuilt stream is the layer's diff id: the very tar `docker save` exports
    assert [f["sha256"] for f in facts] == [layer.diff_id for layer in store.layers]
    with images.saved(tag) as path, SavedImage(path) as saved:
        for fact, layer in zip(facts, saved.layers):
            raw = saved.raw_layer(layer)
            exported = hashlib.sha256()
            for chunk in read_chunks(raw):
                exported.update(chunk)
            assert "sha256:" + exported.hexdigest() == fact["sha256"], f"layer {layer.index}"
            raw.seek(0)
            with ThreadPoolExecutor(2) as pool:
                stream = gzip_stream(read_chunks(raw), GZIP_LEVEL, pool)
            assert len(stream) == fact["gzip_bytes"], f"layer {layer.index}"
            assert gunzipped_digest(stream) == fact["sha256"]  # a gzip stream of the exported tar
            raw.seek(0)
            assert fact["gzip_bytes"] == pytest.approx(one_stream_size(read_chunks(raw), GZIP_LEVEL), rel=1e-3)


def test_the_compressed_size_is_read_from_the_layer_store(edits):
    tag, dockerfile = edits
    store = measure_image(tag, dockerfile, compressed=True)
    saved = measure_image(tag, dockerfile, compressed=True, source="save")
    assert store.source == SOURCE
    assert store.sizes.compressed_bytes == saved.sizes.compressed_bytes > 0
    assert [r["gzip_bytes"] for r in store.layer_rows] == [r["gzip_bytes"] for r in saved.layer_rows]
