"""The layer-store reader against tar-split records made from known tars, and its refusals."""

from __future__ import annotations

import hashlib
import io
import zlib

import pytest

from helpers.image.archive import FILE, HARDLINK, OPAQUE, SYMLINK, WHITEOUT, _FileBlocks, classify, parse_headers
from helpers.image.layer_store import LayerStoreImage, LayerStoreUnavailable, chain_ids, tar_split_entries
from tests.unit.image.conftest import fake_store, layer_tar, tar_split_record

LONG = "/".join(["deep-directory-name"] * 8) + "/file.txt"  # > 100 chars: a PAX path record

MEMBERS = [
    ("etc/", "dir", ""),
    ("etc/passwd", "file", b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"),
    ("etc/.wh.shadow", "file", b""),
    ("opt/", "dir", ""),
    ("opt/.wh..wh..opq", "file", b""),
    ("opt/tool", "file", b"x" * 1000),
    ("opt/tool-link", "hardlink", "opt/tool"),
    ("opt/current", "symlink", "tool"),
    (LONG, "file", b"long"),
]


def archive_entries(tar: bytes):
    return [classify(h) for h, _ in parse_headers(_FileBlocks(io.BytesIO(tar), 0, len(tar)))]


@pytest.mark.parametrize("chunk", [None, 1, 100, 512, 700])
def test_tar_split_gives_the_entries_of_the_tar_it_records(tmp_path, chunk):
    tar = layer_tar(MEMBERS)
    record = tmp_path / "tar-split.json.gz"
    record.write_bytes(tar_split_record(tar, chunk))
    ours = [entry for entry, _ in tar_split_entries(record)]
    assert ours == archive_entries(tar)
    kinds = {(e.path, e.type) for e in ours}
    assert {("/etc/shadow", WHITEOUT), ("/opt", OPAQUE), ("/opt/tool-link", HARDLINK),
            ("/opt/current", SYMLINK), ("/" + LONG, FILE)} <= kinds


def test_chain_ids_follow_the_engine_layer_store_keys():
    a, b = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    assert chain_ids([a]) == [a]
    assert chain_ids([a, b]) == [a, "sha256:" + hashlib.sha256(f"{a} {b}".encode()).hexdigest()]


LOWER = [("etc/", "dir", ""), ("etc/shadow", "file", b"secret"), ("opt/", "dir", ""), ("opt/old", "file", b"o" * 10)]


def test_layer_store_image_reads_layers_and_wanted_contents(tmp_path):
    inspect = fake_store(tmp_path, [layer_tar(LOWER), layer_tar(MEMBERS)])
    with LayerStoreImage(inspect) as image:
        assert [layer.history.created_by for layer in image.layers] == ["RUN step 0", "RUN step 1"]
        assert image.config["config"]["User"] == "app" and image.repo_tags == ["fake:latest"]
        entries = list(image.entries(image.layers[1], want=lambda e: e.path == "/etc/passwd"))
    assert entries == archive_entries(layer_tar(MEMBERS))
    passwd = next(e for e in entries if e.path == "/etc/passwd")
    assert passwd.data.startswith(b"root:x:0:0")


def test_layer_store_replay_equals_the_archive_replay(tmp_path):
    from helpers.measure.replay import replay

    tars = [layer_tar(LOWER), layer_tar(MEMBERS)]
    inspect = fake_store(tmp_path, tars)

    class Archive:  # the same layers as an archive reader would give them
        layers = LayerStoreImage(inspect).layers

        def entries(self, layer, want=None):
            return iter(archive_entries(tars[layer.index]))

    ours, theirs = replay(LayerStoreImage(inspect)), replay(Archive())
    assert ours.final == theirs.final
    assert sorted(ours.hidden, key=repr) == sorted(theirs.hidden, key=repr)
    assert {(h.path, h.reason) for h in ours.hidden} == {("/etc/shadow", "deleted later"), ("/opt/old", "deleted later")}


@pytest.mark.parametrize("spoil, why", [
    (lambda inspect, root: inspect["GraphDriver"].update(Name="vfs"), "not overlay2"),
    (lambda inspect, root: inspect["GraphDriver"]["Data"].update(LowerDir="/elsewhere/diff"), "GraphDriver"),
    (lambda inspect, root: inspect.update(Id="sha256:" + "0" * 64), "image config"),
    (lambda inspect, root: next(root.glob("image/overlay2/layerdb/sha256/*/tar-split.json.gz")).unlink(),
     "tar-split"),
])
def test_layer_store_refuses_what_it_cannot_vouch_for(tmp_path, spoil, why):
    inspect = fake_store(tmp_path, [layer_tar(LOWER), layer_tar(MEMBERS)])
    spoil(inspect, tmp_path)
    with pytest.raises(LayerStoreUnavailable, match=why):
        LayerStoreImage(inspect)


def test_layer_tars_are_rebuilt_byte_for_byte(tmp_path):
    tars = [layer_tar(LOWER), layer_tar(MEMBERS)]
    image = LayerStoreImage(fake_store(tmp_path, tars))
    assert [b"".join(image.layer_stream(layer)) for layer in image.layers] == tars
    facts = image.stream_facts(6, digest=True)
    assert [f["sha256"] for f in facts] == [layer.diff_id for layer in image.layers]
    assert [f["bytes"] for f in facts] == [len(t) for t in tars]
    expected = []
    for tar in tars:
        c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        expected.append(len(c.compress(tar) + c.flush()))
    assert image.compressed_sizes(6) == expected


def test_known_layer_sizes_are_not_compressed_again(tmp_path):
    tars = [layer_tar(LOWER), layer_tar(MEMBERS)]
    image = LayerStoreImage(fake_store(tmp_path, tars))
    full = image.compressed_sizes(6)
    again = LayerStoreImage(fake_store(tmp_path / "again", tars))
    again.known_gzip = {again.layers[0].diff_id: full[0]}
    (tmp_path / "again/overlay2/cache0/diff/etc").rename(tmp_path / "again/gone")  # unreadable if it were read
    assert again.compressed_sizes(6) == full
    assert list(again.computed_gzip) == [again.layers[1].diff_id]


def test_a_missing_file_content_is_refused_with_the_layer(tmp_path):
    image = LayerStoreImage(fake_store(tmp_path, [layer_tar(LOWER), layer_tar(MEMBERS)]))
    (tmp_path / "overlay2/cache1/diff/opt/tool").unlink()
    with pytest.raises(LayerStoreUnavailable, match="layer 1's tar cannot be rebuilt"):
        image.compressed_sizes(6)


def test_a_layer_is_parsed_once_for_every_pass_and_the_oldest_go_first(tmp_path, monkeypatch):
    """The size analysis, the scan's replay and its secret scan walk the same layers: one parse
    each, the same entries, contents still read on every pass; at most PARSED_ENTRIES_KEPT kept."""
    from helpers.image import layer_store

    parsed = []
    real = layer_store.tar_split_entries
    monkeypatch.setattr(layer_store, "tar_split_entries", lambda path: parsed.append(path) or real(path))
    monkeypatch.setattr(layer_store, "_parsed", layer_store._ParsedLayers())
    inspect = fake_store(tmp_path, [layer_tar(LOWER), layer_tar(MEMBERS)])
    passes = []
    for _ in range(3):
        with LayerStoreImage(inspect) as image:
            passes.append([(l.index, e) for l, e in image.walk(want=lambda e: e.path == "/etc/passwd")])
    assert len(parsed) == 2 and passes[0] == passes[1] == passes[2]
    assert any(e.path == "/etc/passwd" and e.data.startswith(b"root:") for _, e in passes[2])

    monkeypatch.setattr(layer_store, "PARSED_ENTRIES_KEPT", len(MEMBERS))  # room for the upper layer only
    monkeypatch.setattr(layer_store, "_parsed", layer_store._ParsedLayers())
    parsed.clear()
    with LayerStoreImage(inspect) as image:
        list(image.walk())
        list(image.entries(image.layers[1]))  # the newest stayed
        list(image.entries(image.layers[0]))  # the oldest went: parsed again
    assert [p.parent for p in parsed] == [image._records[0].parent, image._records[1].parent,
                                          image._records[0].parent]
