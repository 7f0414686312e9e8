"""Recorded fixtures: a tiny image's ``docker save`` (legacy layout, and converted to OCI layout)."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from helpers.image.archive import SavedImage

FIXTURES = Path(__file__).parent / "measure" / "fixtures"
TINY_DOCKERFILE = FIXTURES / "tiny" / "Dockerfile"


def load_json(name: str):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(scope="session")
def tiny_tar(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.tar"
    with gzip.open(FIXTURES / "tiny.tar.gz", "rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


@pytest.fixture()
def tiny(tiny_tar):
    with SavedImage(tiny_tar) as image:
        yield image


def to_oci(legacy: Path, dest: Path, gzip_layers: bool) -> Path:
    """Rewrite a legacy ``docker save`` as an OCI image layout (what engines 25+ write)."""
    import hashlib

    blobs: dict[str, bytes] = {}

    def blob(data: bytes, media: str) -> dict:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        blobs[digest] = data
        return {"mediaType": media, "digest": digest, "size": len(data)}

    with tarfile.open(legacy) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))[0]
        config = blob(tar.extractfile(manifest["Config"]).read(), "application/vnd.oci.image.config.v1+json")
        layers = []
        for name in manifest["Layers"]:
            data = tar.extractfile(name).read()
            if gzip_layers:
                data = gzip.compress(data)
            layers.append(blob(data, "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gzip_layers else "")))
    image_manifest = blob(json.dumps({"schemaVersion": 2, "config": config, "layers": layers}).encode(),
                          "application/vnd.oci.image.manifest.v1+json")
    image_manifest["annotations"] = {"io.containerd.image.name": "dockopt-measure/tiny:oci"}
    index = {"schemaVersion": 2, "manifests": [image_manifest]}
    with tarfile.open(dest, "w") as out:
        for name, data in [("index.json", json.dumps(index).encode()), ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')] + [
                (f"blobs/sha256/{d.split(':')[1]}", b) for d, b in blobs.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return dest


@pytest.fixture(scope="session", params=[False, True], ids=["oci", "oci-gzip"])
def tiny_oci_tar(request, tiny_tar, tmp_path_factory) -> Path:
    return to_oci(tiny_tar, tmp_path_factory.mktemp("oci") / "tiny-oci.tar", gzip_layers=request.param)


@pytest.fixture
def render(tmp_path, monkeypatch):
    """A render being recorded (helpers.report.render_split) into a history file of its own: (history, render id)."""
    from helpers.report import render_split as rs

    monkeypatch.delenv(rs.ENV_ID, raising=False)
    monkeypatch.delenv(rs.ENV_HISTORY, raising=False)
    history = tmp_path / "history.sqlite"
    render_id = rs.start(history)
    yield history, render_id
    rs.stop()
