"""The layer-store reader against tar-split records made from known tars, and its refusals."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import zlib
from pathlib import Path

import pytest

from helpers.image.archive import FILE, HARDLINK, OPAQUE, SYMLINK, WHITEOUT, _FileBlocks, classify, parse_headers
from helpers.image.layer_store import LayerStoreImage, LayerStoreUnavailable, chain_ids, tar_split_entries

LONG = "/".join(["deep-directory-name"] * 8) + "/file.txt"  # > 100 chars: a PAX path record


def layer_tar(members: list[tuple[str, str, bytes | str]]) -> bytes:
    """A layer tar from (name, kind, content-or-linkname), in that order, PAX format."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            info.uid = info.gid = 0
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif kind == "file":
                info.size, info.mode = len(payload), 0o644
                tar.addfile(info, io.BytesIO(payload))
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, payload
                tar.addfile(info)
            elif kind == "hardlink":
                info.type, info.linkname = tarfile.LNKTYPE, payload
                tar.addfile(info)
    return out.getvalue()


def tar_split_record(tar: bytes, chunk: int | None = None) -> bytes:
    """What the engine stores for a layer tar (gzipped JSON lines): every byte but file contents
    as raw segments (type 2), each member as a type 1 entry with its content size. ``chunk``
    splits segments further, to check that the reader does not rely on where they break."""
    lines, cursor, position = [], 0, 0

    def segment(data: bytes) -> None:
        nonlocal position
        pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] if chunk else [data]
        for piece in pieces:
            lines.append({"type": 2, "payload": base64.b64encode(piece).decode(), "position": position})
            position += 1

    with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as archive:
        for info in archive:
            segment(tar[cursor:info.offset_data])
            size = info.size if info.isreg() else 0
            record = {"type": 1, "name": info.name, "payload": None, "position": position}
            if size:
                record["size"] = size
            lines.append(record)
            position += 1
            cursor = info.offset_data + size
    segment(tar[cursor:])
    return gzip.compress(b"".join(json.dumps(line).encode() + b"\n" for line in lines))


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


def fake_store(root: Path, layers: list[bytes], driver: str = "overlay2") -> dict:
    """A data root laid out as dockerd's overlay2 keeps it; returns the image's inspect dict."""
    diff_ids = ["sha256:" + hashlib.sha256(tar).hexdigest() for tar in layers]
    dirs = []
    for i, (tar, diff_id, chain) in enumerate(zip(layers, diff_ids, chain_ids(diff_ids))):
        entry = root / "image/overlay2/layerdb/sha256" / chain.split(":")[1]
        entry.mkdir(parents=True)
        (entry / "diff").write_text(diff_id)
        (entry / "cache-id").write_text(f"cache{i}")
        (entry / "tar-split.json.gz").write_bytes(tar_split_record(tar))
        diff = root / "overlay2" / f"cache{i}" / "diff"
        diff.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(tar)) as archive:  # the contents, as overlay2 unpacks them
            for info in archive:
                if info.isreg() and not info.name.rsplit("/", 1)[-1].startswith(".wh."):
                    target = diff / info.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.extractfile(info).read())
        dirs.append(str(diff))
    config = json.dumps({"rootfs": {"type": "layers", "diff_ids": diff_ids},
                         "history": [{"created_by": f"RUN step {i}"} for i in range(len(layers))],
                         "config": {"User": "app"}}).encode()
    image_id = "sha256:" + hashlib.sha256(config).hexdigest()
    content = root / "image/overlay2/imagedb/content/sha256"
    content.mkdir(parents=True)
    (content / image_id.split(":")[1]).write_bytes(config)
    return {"Id": image_id, "RepoTags": ["fake:latest"], "RootFS": {"Layers": diff_ids},
            "GraphDriver": {"Name": driver, "Data": {"UpperDir": dirs[-1], "LowerDir": ":".join(dirs[-2::-1])}}}


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

        def entries(self, layer, want=None, tee=None):
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


def test_layer_store_offers_no_tee(tmp_path):
    image = LayerStoreImage(fake_store(tmp_path, [layer_tar(LOWER)]))
    with pytest.raises(LayerStoreUnavailable, match="compressed_sizes"):
        list(image.entries(image.layers[0], tee=lambda data: None))


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


def test_a_summary_needs_no_pandas(tiny_tar):
    """`dockopt inspect` stays light: pandas (about 60 MB) loads only when a DataFrame is asked for."""
    code = ("import sys, json; from helpers.image.inspection import measure_archive; "
            f"r = measure_archive({str(tiny_tar)!r}, compressed=False); json.dumps(r.summary(), default=str); "
            "assert 'pandas' not in sys.modules, 'pandas imported'; r.layers; assert 'pandas' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])
