"""Read a ``docker save`` tarball layer by layer without unpacking it.

The archive is read in place: the outer tar is indexed once (a few hundred headers), each
layer is opened as a window onto the archive file and its members are iterated one header at
a time, so memory stays flat whatever the image size. Two layouts are understood:

* legacy ``docker save`` (engines before 25): ``manifest.json`` naming ``<id>/layer.tar`` and
  ``<config>.json``; identical layers may be stored once and symlinked;
* OCI image layout (``index.json`` + ``blobs/sha256/...``, written by engines 25+ next to a
  ``manifest.json``); layer blobs may be gzip-compressed.

History entries are mapped to layers the way the engine does it: every entry without
``empty_layer`` made the next layer of ``rootfs.diff_ids``. Nothing here talks to Docker, so
the security checks and the tests read recorded tarballs with the same code. ``SavedImage`` is
one of the two ``helpers.image.reader.ImageReader``s; the entry model and the tar header parser
here are shared with the other, ``helpers.image.layer_store``.
"""

from __future__ import annotations

import json
import os
import posixpath
import tarfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from helpers.image.gzip_size import gzip_size, workers

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"

FILE, DIR, SYMLINK, HARDLINK, WHITEOUT, OPAQUE, OTHER = (
    "file", "dir", "symlink", "hardlink", "whiteout", "opaque", "other")


class ImageArchiveError(ValueError):
    """The tarball is not a ``docker save`` archive this reader understands."""


@dataclass(frozen=True)
class HistoryEntry:
    index: int  # position in the config's history, oldest first
    created_by: str
    created: str = ""
    comment: str = ""
    empty_layer: bool = False


@dataclass(frozen=True)
class Layer:
    index: int  # 0 = bottom layer
    diff_id: str  # sha256 of the uncompressed layer tar, from the config's rootfs
    member: str  # path of the layer tar (or blob) inside the archive
    archive_bytes: int  # size of that member as stored (compressed if the blob is)
    history: HistoryEntry | None  # the instruction that made it; None if history is short


@dataclass(frozen=True, slots=True)
class Entry:
    """One member of a layer tar, as the overlay filesystem will see it.

    A whiteout's ``path`` is the path it deletes; an opaque marker's ``path`` is the directory
    whose lower contents it hides.
    """

    path: str  # absolute, normalised: "/usr/bin/gcc"
    type: str  # FILE, DIR, SYMLINK, HARDLINK, WHITEOUT, OPAQUE or OTHER
    size: int
    mode: int
    uid: int
    gid: int
    linkname: str = ""
    data: bytes | None = field(default=None, repr=False, compare=False)  # only when asked for


def normalise(name: str) -> str:
    """Archive member names come as "./usr/bin", "usr/bin/" or "/usr/bin": one spelling for all."""
    plain = name[2:] if name.startswith("./") else name
    plain = plain.strip("/")
    if plain and "//" not in plain and "/." not in "/" + plain:  # no ".", ".." or empty part: nothing to fold
        return "/" + plain
    return "/" + posixpath.normpath("/" + name).lstrip("/")


def classify(info: tarfile.TarInfo) -> Entry:
    path = normalise(info.name)
    cut = path.rfind("/")
    base = path[cut + 1:]
    mode, uid, gid = info.mode, info.uid, info.gid
    if base.startswith(WHITEOUT_PREFIX):
        parent = path[:cut] or "/"
        if base == OPAQUE_MARKER:
            return Entry(parent, OPAQUE, 0, mode, uid, gid)
        return Entry(posixpath.join(parent, base[len(WHITEOUT_PREFIX):]), WHITEOUT, 0, mode, uid, gid)
    if info.isreg():
        return Entry(path, FILE, info.size, mode, uid, gid)
    if info.isdir():
        return Entry(path, DIR, 0, mode, uid, gid)
    if info.issym():
        return Entry(path, SYMLINK, 0, mode, uid, gid, info.linkname)
    if info.islnk():
        return Entry(path, HARDLINK, 0, mode, uid, gid, normalise(info.linkname))
    return Entry(path, OTHER, 0, mode, uid, gid)


class _Header:
    """The TarInfo fields ``classify`` reads, parsed straight from 512-byte ustar/PAX headers."""

    __slots__ = ("name", "size", "mode", "uid", "gid", "type", "linkname")

    def isreg(self) -> bool:
        return self.type in _REGULAR

    def isdir(self) -> bool:
        return self.type == _DIR

    def issym(self) -> bool:
        return self.type == _SYM

    def islnk(self) -> bool:
        return self.type == _LNK


_REGULAR, _DIR, _SYM, _LNK = tarfile.REGULAR_TYPES, tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE


def _number(field: bytes) -> int:
    """A numeric header field: tarfile.nti, with a fast path for the usual NUL-terminated octal."""
    if field[0] in (0o200, 0o377):
        return tarfile.nti(field)
    return int(field.split(b"\0", 1)[0].strip() or b"0", 8)


def _text(field: bytes) -> str:
    return field.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _pax(data: bytes) -> dict[str, str]:
    """PAX extended header records: ``LEN key=value\n`` (long paths, big sizes, xattrs)."""
    records, pos = {}, 0
    while pos < len(data):
        space = data.index(b" ", pos)
        length = int(data[pos:space])
        key, _, value = data[space + 1:pos + length - 1].partition(b"=")
        records[key.decode()] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


class _FileBlocks:
    """Sequential reads from [start, end) of a seekable file; skipped contents are seeked over.

    A real file is read with ``os.pread`` into a small window: the headers of small files sit
    close together, so one system call usually serves several, while a large file's contents
    are jumped over without being read (a buffered reader would refill its buffer per header).
    """

    WINDOW = 8 << 10

    def __init__(self, fh, start: int, end: int) -> None:
        self.fh, self.offset, self.end = fh, start, end
        self.window, self.window_at = b"", -1
        try:
            self.fd = fh.fileno()
        except (AttributeError, OSError):  # io.BytesIO and other in-memory files
            self.fd = None

    def read(self, size: int) -> tuple[bytes, int]:
        """(up to size bytes, the offset they start at)."""
        at = self.offset
        if size > self.end - at:
            size = max(0, self.end - at)
        self.offset = at + size
        if self.fd is None:
            self.fh.seek(at)
            return self.fh.read(size), at
        lo = at - self.window_at
        if self.window_at < 0 or lo < 0 or lo + size > len(self.window):
            self.window = os.pread(self.fd, min(max(size, self.WINDOW), self.end - at), at)
            self.window_at, lo = at, 0
        return self.window[lo:lo + size], at

    def skip(self, size: int) -> None:
        self.offset += size


_LINKS = (tarfile.SYMTYPE, tarfile.LNKTYPE)


def parse_headers(blocks) -> Iterator[tuple[_Header, int]]:
    """(header, data offset) for each member of an uncompressed tar read through ``blocks``.

    ``blocks`` has ``read(n) -> (bytes, offset)`` and ``skip(n)``: a window onto an archive
    (``_FileBlocks``) or a layer's tar-split record (``helpers.image.layer_store``), where contents are
    absent and only skipped. tarfile's pure-Python header parsing dominates a layer scan; this
    reads only the 512-byte headers and handles what image layers use: ustar, PAX ``x``/``g``
    records and GNU long names. Anything else (sparse files) raises ``tarfile.HeaderError``.
    """
    pending = {}
    read = blocks.read
    while True:
        block, offset = read(512)
        if len(block) < 512 or (not block[0] and block.count(0) == 512):  # all zeros: the end
            return
        kind = block[156:157]
        size = _number(block[124:136])
        data_at = offset + 512
        if kind in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK):
            data = blocks.read(size)[0]
            blocks.skip((size + 511) // 512 * 512 - size)
            if kind == tarfile.XHDTYPE:
                pending.update(_pax(data))
            elif kind == tarfile.GNUTYPE_LONGNAME:
                pending["path"] = _text(data)
            elif kind == tarfile.GNUTYPE_LONGLINK:
                pending["linkpath"] = _text(data)
            continue
        if kind == tarfile.GNUTYPE_SPARSE:
            raise tarfile.HeaderError("sparse member")
        header = _Header()
        name = _text(block[0:100])
        prefix = _text(block[345:500]) if block[345] and block[257:262] == b"ustar" else ""
        header.name = f"{prefix}/{name}" if prefix else name
        header.linkname = _text(block[157:257]) if kind in _LINKS else ""  # classify reads it for links only
        header.size = size
        header.mode = _number(block[100:108])
        header.uid = _number(block[108:116])
        header.gid = _number(block[116:124])
        header.type = kind if kind != b"\0" else tarfile.REGTYPE
        if pending:  # PAX or GNU records override the ustar fields
            header.name = pending.get("path") or header.name
            header.linkname = pending.get("linkpath") or header.linkname
            header.size = int(pending["size"]) if "size" in pending else size
            header.uid = int(pending["uid"]) if "uid" in pending else header.uid
            header.gid = int(pending["gid"]) if "gid" in pending else header.gid
            pending = {}
        blocks.skip((header.size + 511) // 512 * 512)
        yield header, data_at


def fast_headers(fh, start: int, end: int) -> Iterator[tuple[_Header, int]]:
    """(header, data offset) for each member of an uncompressed tar stored at [start, end) of fh."""
    return parse_headers(_FileBlocks(fh, start, end))


def map_history(history: list[dict], diff_ids: list[str]) -> list[HistoryEntry | None]:
    """Which history entry made each layer: non-empty entries, in order, one per diff id.

    Returns one element per diff id; None where the history has fewer non-empty entries than
    there are layers (images squashed or imported without history).
    """
    entries = [HistoryEntry(i, h.get("created_by", ""), h.get("created", ""), h.get("comment", ""),
                            bool(h.get("empty_layer"))) for i, h in enumerate(history)]
    makers = [e for e in entries if not e.empty_layer]
    if len(makers) > len(diff_ids):  # more non-empty entries than layers: trust the newest
        makers = makers[-len(diff_ids):]
    padding = [None] * (len(diff_ids) - len(makers))
    return padding + makers


class SavedImage:
    """A ``docker save`` archive, opened for reading: an ``ImageReader``.

    Args:
        path: the tarball (uncompressed outer tar, as ``docker save`` writes it).
        image: which image in a multi-image archive (index in its manifest); the first by default.
    """

    def __init__(self, path: str | Path, image: int = 0) -> None:
        self.path = Path(path)
        self._tar = tarfile.open(self.path, "r:")
        self._members = {normalise(m.name).lstrip("/"): m for m in self._tar.getmembers()}
        self.layout = "oci" if "manifest.json" not in self._members else "docker"
        if self.layout == "oci" and "index.json" not in self._members:
            raise ImageArchiveError(f"{self.path} has neither manifest.json nor index.json: not a docker save archive.")
        config_path, layer_paths, self.repo_tags = (
            self._docker_manifest(image) if self.layout == "docker" else self._oci_manifest(image))
        self.config: dict = json.loads(self._bytes(config_path))
        diff_ids = self.config.get("rootfs", {}).get("diff_ids", [])
        if len(diff_ids) != len(layer_paths):
            raise ImageArchiveError(f"{self.path}: {len(layer_paths)} layer files but {len(diff_ids)} diff ids.")
        self.history = [HistoryEntry(i, h.get("created_by", ""), h.get("created", ""), h.get("comment", ""),
                                     bool(h.get("empty_layer")))
                        for i, h in enumerate(self.config.get("history", []))]
        makers = map_history(self.config.get("history", []), diff_ids)
        self.layers = [Layer(i, diff_ids[i], p, self._member(p).size, makers[i]) for i, p in enumerate(layer_paths)]

    def __enter__(self) -> SavedImage:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._tar.close()

    # -- archive plumbing -------------------------------------------------------------------
    def _member(self, name: str) -> tarfile.TarInfo:
        seen = set()
        key = normalise(name).lstrip("/")
        while key in self._members and (self._members[key].issym() or self._members[key].islnk()):
            if key in seen:
                break
            seen.add(key)
            member = self._members[key]
            target = member.linkname
            key = normalise(posixpath.join(posixpath.dirname(key), target) if member.issym() else target).lstrip("/")
        if key not in self._members:
            raise ImageArchiveError(f"{self.path} has no member {name!r}.")
        return self._members[key]

    def _bytes(self, name: str) -> bytes:
        return self._tar.extractfile(self._member(name)).read()

    def _docker_manifest(self, image: int) -> tuple[str, list[str], list[str]]:
        manifest = json.loads(self._bytes("manifest.json"))
        entry = manifest[image]
        return entry["Config"], list(entry["Layers"]), list(entry.get("RepoTags") or [])

    def _oci_manifest(self, image: int) -> tuple[str, list[str], list[str]]:
        index = json.loads(self._bytes("index.json"))
        descriptor = index["manifests"][image]
        manifest = json.loads(self._bytes(self._blob(descriptor["digest"])))
        while "manifests" in manifest:  # an index of platforms: take the first
            manifest = json.loads(self._bytes(self._blob(manifest["manifests"][0]["digest"])))
        tag = (descriptor.get("annotations") or {}).get("io.containerd.image.name")
        return (self._blob(manifest["config"]["digest"]),
                [self._blob(layer["digest"]) for layer in manifest["layers"]],
                [tag] if tag else [])

    @staticmethod
    def _blob(digest: str) -> str:
        algorithm, hexdigest = digest.split(":", 1)
        return f"blobs/{algorithm}/{hexdigest}"

    # -- layers -----------------------------------------------------------------------------
    def raw_layer(self, layer: Layer):
        """The layer member as stored in the archive (a seekable window, nothing loaded)."""
        return self._tar.extractfile(self._member(layer.member))

    def entries(self, layer: Layer, want: Callable[[Entry], bool] | None = None) -> Iterator[Entry]:
        """Every member of one layer, in archive order; file contents are skipped by seeking.

        Args:
            want: called on each regular file; where it returns True the entry carries the file's
                bytes in ``data`` (read while passing, so no second pass is needed).
        """
        if self._plain(layer):
            try:
                yield from self._fast_entries(layer, want)
                return
            except tarfile.HeaderError:
                pass  # an exotic member: tarfile's parser below knows more (the pass restarts)
        with tarfile.open(fileobj=self.raw_layer(layer), mode="r:*") as tar:
            while True:
                info = tar.next()
                if info is None:
                    break
                tar.members = []  # TarFile keeps every header it has read; we never look back
                entry = classify(info)
                if want is not None and entry.type == FILE and want(entry):
                    entry = Entry(entry.path, entry.type, entry.size, entry.mode, entry.uid, entry.gid,
                                  data=tar.extractfile(info).read())
                yield entry

    def _plain(self, layer: Layer) -> bool:
        """Whether the layer is an uncompressed tar stored in place (legacy layout, OCI ``.tar``)."""
        member = self._member(layer.member)
        self._tar.fileobj.seek(member.offset_data)
        magic = self._tar.fileobj.read(262)[257:262]
        return magic == b"ustar"

    def _fast_entries(self, layer: Layer, want: Callable[[Entry], bool] | None) -> Iterator[Entry]:
        member = self._member(layer.member)
        start = member.offset_data
        with open(self.path, "rb") as fh:
            headers = list(fast_headers(fh, start, start + member.size))  # all parsed before any yield
            for header, data_at in headers:
                entry = classify(header)
                if want is not None and entry.type == FILE and want(entry):
                    fh.seek(data_at)
                    entry = Entry(entry.path, entry.type, entry.size, entry.mode, entry.uid, entry.gid,
                                  data=fh.read(entry.size))
                yield entry

    def read_file(self, layer: Layer, path: str, limit: int | None = None) -> bytes | None:
        """One file's bytes as that layer stores it (None if the layer does not hold it).

        Args:
            limit: read at most this many bytes (a scanner looking for key headers needs few).
        """
        wanted = normalise(path)
        raw = self.raw_layer(layer)
        with tarfile.open(fileobj=raw, mode="r:*") as tar:
            while True:
                info = tar.next()
                if info is None:
                    return None
                tar.members = []
                if info.isreg() and normalise(info.name) == wanted:
                    handle = tar.extractfile(info)
                    return handle.read() if limit is None else handle.read(limit)

    def compressed_sizes(self, level: int) -> list[int]:
        """Each layer as the archive stores it (every byte, end padding included), gzipped at
        ``level``: what a registry stores for it."""
        def chunks(raw) -> Iterator[bytes]:
            while chunk := raw.read(1 << 20):
                yield chunk

        with ThreadPoolExecutor(max_workers=workers()) as pool:
            return [gzip_size(chunks(self.raw_layer(layer)), level, pool, ahead=workers() + 1)
                    for layer in self.layers]

    def walk(self, want: Callable[[Entry], bool] | None = None) -> Iterator[tuple[Layer, Entry]]:
        """Every entry of every layer, bottom layer first."""
        for layer in self.layers:
            for entry in self.entries(layer, want=want):
                yield layer, entry
