"""Measurements checked against the engine itself and against rebuilds."""

from __future__ import annotations

import pytest

from helpers.engine import images
from helpers.image.inspection import measure_image
from helpers.measure import waste
from tests.integration.conftest import DELETED_BYTES, PAYLOAD_BYTES, PIP_CACHE_BYTES

VARIANTS = ["original", "phase1", "phase2", "phase3"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_sizes_match_docker_image_inspect(variant, sample_tag, sample_report):
    tag = sample_tag(variant)
    inspect = images.inspect(tag)
    report = sample_report(variant)
    assert report.sizes.uncompressed_bytes == inspect["Size"]
    assert report.sizes.layer_count == len(inspect["RootFS"]["Layers"])
    # our own per-layer sums from the tarball against the engine's history sizes: the engine sizes
    # a layer it applied from a tar by its files, an imported one by its files and symlinks
    engine = [h["Size"] for h in images.history(tag) if h["CreatedBy"] or h["Comment"]][::-1]
    ours = [row.size_bytes + (row.symlink_bytes if row.comment.startswith("Imported") else 0)
            for row in report.layers.itertuples()]
    assert [size for size in engine if size] == [size for size in ours if size]
    assert report.sizes.content_bytes + int(report.layers.loc[report.layers["comment"].str.startswith("Imported"),
                                                              "symlink_bytes"].sum()) == inspect["Size"]


def test_reclaimable_bytes_match_a_rebuild_without_the_waste(waste_pair):
    wasteful, clean, dockerfile = waste_pair
    report = measure_image(wasteful, dockerfile, compressed=False)
    saved_by_rebuild = images.inspect(wasteful)["Size"] - images.inspect(clean)["Size"]
    ours = report.reclaimable_bytes - report.base_image_bytes
    assert saved_by_rebuild == pytest.approx(DELETED_BYTES + PAYLOAD_BYTES + PIP_CACHE_BYTES, rel=0.01)
    assert ours == pytest.approx(saved_by_rebuild, rel=0.05)
    by_category = report.waste[report.waste["stage"] != "base image"].groupby("category")["bytes"].sum()
    assert by_category[waste.DELETED_LATER] == DELETED_BYTES
    assert by_category[waste.DUPLICATES] == PAYLOAD_BYTES
    assert by_category[waste.PIP] == PIP_CACHE_BYTES


def test_compressed_size_matches_the_registry(sample_tag):
    """Push to the loopback registry and compare its blob sizes with our gzip -6 figure."""
    import json
    import subprocess
    import urllib.request

    from helpers.engine import buildkit, registry

    registry.ensure_registry()  # starts Debian's docker-registry on loopback if none listens
    tag = sample_tag("phase3")
    target = f"{registry.REGISTRY}/{tag}"
    cli = images.connect.client()
    cli.images.get(tag).tag(target)
    try:
        push = subprocess.run([buildkit.find_client().path, "push", target], capture_output=True, text=True)
        assert push.returncode == 0, push.stderr
        repo, ref = target.split("/", 1)[1].rsplit(":", 1)
        request = urllib.request.Request(f"http://{registry.REGISTRY}/v2/{repo}/manifests/{ref}",
                                         headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"})
        blobs = [layer["size"] for layer in json.load(urllib.request.urlopen(request))["layers"]]
    finally:
        cli.images.remove(target, noprune=True)
    report = measure_image(tag, compressed=True)
    assert report.sizes.compressed_bytes == pytest.approx(sum(blobs), rel=0.03)
    for ours, theirs in zip(report.layers["gzip_bytes"], blobs):
        assert ours == pytest.approx(theirs, rel=0.05, abs=200)


def test_build_tools_only_in_the_original(sample_report):
    original = sample_report("original").build_tools
    assert {"/usr/bin/gcc", "/usr/bin/cmake", "/usr/bin/make"} <= set(original.binaries)
    assert original.header_files > 100 and "libc6-dev" in original.packages
    for variant in VARIANTS[1:]:
        tools = sample_report(variant).build_tools
        assert not tools.present, (variant, tools)


def test_original_waste_is_attributed_to_its_lines(sample_report):
    report = sample_report("original")
    apt = report.waste[report.waste["category"] == waste.APT]
    assert 10 in set(apt["line"].dropna())  # apt-get update in one RUN, rm -rf lists in the next
    weights = report.unwanted[report.unwanted["kind"] == "model weights"]
    assert list(weights["path"]) == ["/app/models/snsw-weights.safetensors"]
    assert list(weights["line"]) == [20]  # COPY . .
