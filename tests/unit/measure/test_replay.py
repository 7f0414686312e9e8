import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers.image.archive import FILE, SavedImage
from helpers.image.gzip_size import gzip_stream
from helpers.measure.replay import DELETED, GZIP_LEVEL, OVERWRITTEN, replay
from tests.unit.conftest import load_json


def test_content_bytes_are_the_engines_size(tiny):
    result = replay(tiny)
    assert result.content_bytes == load_json("tiny.inspect.json")["Size"]
    engine_layer_sizes = sorted(h["Size"] for h in load_json("tiny.history.json") if h["Size"])
    assert sorted(f.content_bytes for f in result.layers if f.content_bytes) == engine_layer_sizes


def test_every_byte_is_visible_or_hidden(tiny):
    result = replay(tiny)
    assert result.visible_bytes + result.hidden_bytes == result.content_bytes


def test_deleted_and_overwritten_files_are_hidden_once(tiny):
    hidden = {(h.path, h.reason, h.layer, h.by_layer): h.bytes for h in replay(tiny).hidden}
    assert hidden[("/tmp/scratch.bin", DELETED, 1, 4)] == 64 * 1024
    assert hidden[("/app/data/old.bin", DELETED, 1, 4)] == 8 * 1024  # hidden by the opaque marker
    assert hidden[("/app/model.safetensors", OVERWRITTEN, 2, 3)] == 4096
    assert sum(hidden.values()) == 64 * 1024 + 8 * 1024 + 4281  # the whole first COPY, once


def test_final_filesystem(tiny):
    final = replay(tiny).final
    assert "/tmp/scratch.bin" not in final and "/app/data/old.bin" not in final
    assert final["/app/data/new.txt"].layer == 4
    assert final["/app/main.py"].layer == 3 and final["/app/main.py"].entry.type == FILE


def test_gzip_sizes_are_each_layer_whole_gzipped(tiny):
    """Each layer's gzip stream (helpers.image.gzip_size: blocks deflated at once), within a tenth
    of a percent of one zlib stream of the layer."""
    result = replay(tiny, gzip=True)
    with ThreadPoolExecutor(2) as pool:
        for fact in result.layers:
            data = tiny.raw_layer(fact.layer).read()
            assert fact.gzip_bytes == len(gzip_stream(iter([data]), GZIP_LEVEL, pool))
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            assert fact.gzip_bytes == pytest.approx(len(compressor.compress(data) + compressor.flush()), rel=1e-3)


def test_oci_layout_replays_identically(tiny, tiny_oci_tar):
    with SavedImage(tiny_oci_tar) as oci:
        a, b = replay(tiny), replay(oci)
    assert (a.content_bytes, a.hidden_bytes, sorted(a.final)) == (b.content_bytes, b.hidden_bytes, sorted(b.final))
