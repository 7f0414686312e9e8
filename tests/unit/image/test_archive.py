import pytest

from helpers.image.archive import (DIR, FILE, OPAQUE, WHITEOUT, HistoryEntry, ImageArchiveError, SavedImage,
                                   map_history, normalise)


@pytest.mark.parametrize("name, expected", [
    ("./usr/bin/gcc", "/usr/bin/gcc"), ("usr/bin/", "/usr/bin"), ("/etc/passwd", "/etc/passwd"),
    ("./.env", "/.env"), ("app/./x/../y", "/app/y"), (".", "/"), ("./", "/"),
])
def test_normalise_gives_one_spelling(name, expected):
    assert normalise(name) == expected


def test_map_history_skips_empty_layers():
    history = [{"created_by": "base"}, {"created_by": "ENV A=1", "empty_layer": True}, {"created_by": "RUN x"}]
    made = map_history(history, ["sha256:a", "sha256:b"])
    assert [m.created_by for m in made] == ["base", "RUN x"]
    assert made[1] == HistoryEntry(2, "RUN x")


def test_map_history_pads_when_history_is_short():
    made = map_history([{"created_by": "RUN x"}], ["sha256:a", "sha256:b"])
    assert made[0] is None and made[1].created_by == "RUN x"


def test_legacy_layout_layers_and_history(tiny):
    assert tiny.layout == "docker"
    assert tiny.repo_tags == ["dockopt-measure/tiny:fixture"]
    assert len(tiny.layers) == 6
    assert tiny.layers[0].history.created_by.startswith("COPY /bin/busybox")
    assert [layer.history.created_by.split()[0] for layer in tiny.layers] == ["COPY", "RUN", "COPY", "COPY", "RUN", "WORKDIR"]
    # layers 2 and 3 are byte-identical, stored once and symlinked in the archive
    assert tiny.layers[2].archive_bytes == tiny.layers[3].archive_bytes


def test_entries_classify_whiteouts_and_opaque_dirs(tiny):
    kinds = {(e.path, e.type) for e in tiny.entries(tiny.layers[4])}
    assert ("/tmp/scratch.bin", WHITEOUT) in kinds
    assert ("/app/data", OPAQUE) in kinds
    assert ("/app/data", DIR) in kinds
    assert ("/app/data/new.txt", FILE) in kinds


def test_entries_carry_wanted_bytes_only(tiny):
    entries = list(tiny.entries(tiny.layers[2], want=lambda e: e.path == "/app/.env"))
    env = next(e for e in entries if e.path == "/app/.env")
    assert env.data == b"TOKEN=not-a-real-secret\n"
    assert all(e.data is None for e in entries if e.path != "/app/.env")


def test_compressed_sizes_gzip_each_layer_as_stored(tiny, tiny_oci_tar):
    """Every byte of the member, end-of-archive padding included; an OCI blob stored gzipped is
    compressed as stored, as the archive reader always did (a real gzip stream of those bytes)."""
    import gzip
    from concurrent.futures import ThreadPoolExecutor

    from helpers.image.gzip_size import gzip_stream

    with SavedImage(tiny_oci_tar) as oci, ThreadPoolExecutor(2) as pool:
        for image in (tiny, oci):
            streams = [gzip_stream(iter([image.raw_layer(layer).read()]), 6, pool) for layer in image.layers]
            assert image.compressed_sizes(6) == [len(s) for s in streams]
            assert [gzip.decompress(s) for s in streams] == [image.raw_layer(layer).read() for layer in image.layers]
    assert tiny.compressed_sizes(1) != tiny.compressed_sizes(9)


def test_read_file_from_one_layer(tiny):
    assert tiny.read_file(tiny.layers[3], "app/main.py") == b'print("hello")\n'
    assert tiny.read_file(tiny.layers[3], "/app/deploy.key", limit=11) == b"-----BEGIN "
    assert tiny.read_file(tiny.layers[0], "/app/main.py") is None


def test_oci_layout_reads_the_same(tiny, tiny_oci_tar):
    with SavedImage(tiny_oci_tar) as oci:
        assert oci.layout == "oci"
        assert oci.repo_tags == ["dockopt-measure/tiny:oci"]
        assert [layer.diff_id for layer in oci.layers] == [layer.diff_id for layer in tiny.layers]
        for ours, theirs in zip(oci.layers, tiny.layers):
            assert list(oci.entries(ours)) == list(tiny.entries(theirs))


def test_not_a_docker_save_archive(tmp_path):
    import tarfile

    path = tmp_path / "x.tar"
    with tarfile.open(path, "w"):
        pass
    with pytest.raises(ImageArchiveError):
        SavedImage(path)


@pytest.mark.parametrize("form", ["pax", "ustar"])
def test_fast_headers_match_tarfile_across_read_windows(tmp_path, form):
    """Headers found through the pread window equal tarfile's, whatever falls on a window edge
    (long names as PAX records or as ustar prefixes, symlinks and hard links included)."""
    import io
    import tarfile

    from helpers.image.archive import classify, fast_headers

    path = tmp_path / "layer.tar"
    sizes = [0, 1, 511, 512, 513, 30000, 8 << 10, (8 << 10) - 512, 70000, 5, 0, 100000, 17]
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT if form == "pax" else tarfile.USTAR_FORMAT) as tar:
        for i, size in enumerate(sizes * 4):
            info = tarfile.TarInfo(f"{'long-directory/' * 8 if i % 7 == 0 else ''}dir/file{i}")
            if i % 5 == 1:
                info.type, info.linkname = (tarfile.SYMTYPE, "file0") if i % 2 else (tarfile.LNKTYPE, "dir/file0")
                tar.addfile(info)
                continue
            info.size = size
            tar.addfile(info, io.BytesIO(b"x" * size))
    with open(path, "rb") as fh:
        ours = [classify(h) for h, _ in fast_headers(fh, 0, path.stat().st_size)]
    with tarfile.open(path) as tar:
        theirs = [classify(info) for info in tar]
    assert ours == theirs and len(ours) == len(sizes) * 4
    assert {e.type for e in ours} == {"file", "symlink", "hardlink"} and any(len(e.path) > 100 for e in ours)
