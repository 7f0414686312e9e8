"""A layer store laid out as the engine keeps it, built from known layer tars or from a recorded
``docker save`` archive, so the layer-store reader is tested without an engine and against the
archive reader on the same image."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from helpers.image.layer_store import LayerStoreImage, chain_ids


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


def fake_store(root: Path, layers: list[bytes], driver: str = "overlay2", config: bytes | None = None,
               repo_tags: list[str] | None = None) -> dict:
    """A data root laid out as dockerd's overlay2 keeps it; returns the image's inspect dict.

    Args:
        config: the image config as stored (a made-up one with a history entry per layer if None).
        repo_tags: the engine's names for the image.
    """
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
    if config is None:
        config = json.dumps({"rootfs": {"type": "layers", "diff_ids": diff_ids},
                             "history": [{"created_by": f"RUN step {i}"} for i in range(len(layers))],
                             "config": {"User": "app"}}).encode()
    image_id = "sha256:" + hashlib.sha256(config).hexdigest()
    content = root / "image/overlay2/imagedb/content/sha256"
    content.mkdir(parents=True)
    (content / image_id.split(":")[1]).write_bytes(config)
    return {"Id": image_id, "RepoTags": ["fake:latest"] if repo_tags is None else repo_tags,
            "RootFS": {"Layers": diff_ids},
            "GraphDriver": {"Name": driver, "Data": {"UpperDir": dirs[-1], "LowerDir": ":".join(dirs[-2::-1])}}}


def store_from_archive(root: Path, archive: Path) -> dict:
    """The layer store an engine keeps for the image in a legacy ``docker save`` archive: the same
    config bytes (so the same image id), layer tars and names."""
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))[0]
        config = tar.extractfile(manifest["Config"]).read()
        layers = [tar.extractfile(name).read() for name in manifest["Layers"]]  # symlinked layers followed
    return fake_store(root, layers, config=config, repo_tags=manifest.get("RepoTags") or [])


@pytest.fixture()
def tiny_store(tiny_tar, tmp_path):
    """The tiny fixture image as the engine's layer store holds it."""
    with LayerStoreImage(store_from_archive(tmp_path / "data-root", tiny_tar)) as image:
        yield image
