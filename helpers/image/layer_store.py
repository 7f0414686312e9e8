"""Read an image's layers straight from a local engine's overlay2 layer store, without exporting it.

``docker save`` does not keep layer tars: it rebuilds each one from two things the engine
stores per layer, the *tar-split* record (every tar header and padding byte, in the original
order, with each file's contents left out) and the layer's overlay2 ``diff`` directory (the
contents). This reader takes the headers from the same tar-split record and the few file
contents analysis needs (dpkg's database, /etc/passwd, key candidates) from the same ``diff``
directory, so every entry, its order, whiteouts (``.wh.`` names), opaque markers and hard
links are exactly what the exported tar would hold, at the cost of reading a few MB of
compressed JSON instead of the whole image.

It needs what only a local engine gives: the overlay2 storage driver and its data root
readable by this process (usually root). ``LayerStoreUnavailable`` says which condition
failed, so the caller (``helpers.image.source.read_image``) can fall back to ``docker save`` and
say why. Nothing here talks to the engine's API: the caller passes the ``docker image inspect``
dict. ``LayerStoreImage`` is the other ``helpers.image.reader.ImageReader``, beside
``archive.SavedImage``, whose entry model and tar header parser it shares.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import tarfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from helpers.image import gzip_size
from helpers.image.archive import FILE, Entry, Layer, classify, map_history, parse_headers, HistoryEntry

SOURCE = "layer store (overlay2 tar-split)"


class LayerStoreUnavailable(Exception):
    """The image's layers cannot be read from the engine's storage; the message says why."""


def chain_ids(diff_ids: list[str]) -> list[str]:
    """The layer store's key for each layer: its diff id chained with every layer below it."""
    chain, ids = None, []
    for diff_id in diff_ids:
        chain = diff_id if chain is None else "sha256:" + hashlib.sha256(f"{chain} {diff_id}".encode()).hexdigest()
        ids.append(chain)
    return ids


class _TarSplitBlocks:
    """A tar-split record as ``parse_headers`` reads it: raw segments are readable, file contents
    (absent from the record; only their sizes are kept) can only be skipped."""

    def __init__(self, records: Iterator[dict]) -> None:
        self.records = records
        self.segment, self.pos = b"", 0
        self.gap = 0  # content bytes of the current file still to skip
        self.offset = 0  # position in the tar the record describes

    def _pull(self) -> bool:
        record = next(self.records, None)
        if record is None:
            return False
        if record["type"] == 2:
            self.segment, self.pos = base64.b64decode(record["payload"] or b""), 0
        else:
            self.gap = record.get("size") or 0
        return True

    def read(self, size: int) -> tuple[bytes, int]:
        at, parts, got = self.offset, [], 0
        while got < size:
            if self.gap:
                raise tarfile.HeaderError("a header inside a file's contents: tar-split record out of step")
            left = len(self.segment) - self.pos
            if left:
                take = min(size - got, left)
                parts.append(self.segment[self.pos:self.pos + take])
                self.pos += take
                got += take
            elif not self._pull():
                break
        self.offset += got
        return b"".join(parts), at

    def skip(self, size: int) -> None:
        self.offset += size
        while size:
            if self.gap:
                take = min(size, self.gap)
                self.gap -= take
            elif len(self.segment) > self.pos:
                take = min(size, len(self.segment) - self.pos)
                self.pos += take
            elif self._pull():
                continue
            else:
                return
            size -= take


CHUNK = 1 << 20  # bytes handed to the compressor at once: large enough that zlib runs without the GIL


def tar_stream(record_path: str | Path, directory: str | Path) -> Iterator[bytes]:
    """The layer tar, byte for byte as ``docker save`` writes it, rebuilt the way the engine does.

    The engine's own export (tar-split's ``asm.NewOutputTarStream``) replays the record: raw
    segments (headers, padding, end blocks) as stored, and for each file entry with contents,
    exactly ``size`` bytes read from the overlay2 ``diff`` directory. This does the same, so
    the stream's sha256 is the layer's diff id (``stream_facts(..., digest=True)`` gives it, and
    tests/integration/test_layerstore_engine.py compares it with the exported tar's).
    """
    directory = str(directory)
    with gzip.open(record_path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            if record["type"] == 2:
                if record.get("payload"):
                    yield base64.b64decode(record["payload"])
                continue
            size = record.get("size") or 0
            if not size:
                continue
            raw = record.get("name_raw")
            name = base64.b64decode(raw).decode("utf-8", "surrogateescape") if raw else record["name"]
            with open(os.path.join(directory, name), "rb") as data:
                left = size
                while left:
                    chunk = data.read(min(CHUNK, left))
                    if not chunk:
                        raise OSError(f"{name} in {directory} is shorter than its tar entry ({size} bytes)")
                    left -= len(chunk)
                    yield chunk


def _batched(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Many small tar headers joined into CHUNK-sized pieces (one compressor call each)."""
    buffer = bytearray()
    for chunk in chunks:
        if len(chunk) >= CHUNK and not buffer:
            yield chunk
            continue
        buffer += chunk
        if len(buffer) >= CHUNK:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def stream_facts(chunks: Iterator[bytes], level: int | None = None, digest: bool = False,
                 pool: Executor | None = None) -> dict:
    """Bytes, gzip size at ``level`` (None: not compressed; blocks deflated on ``pool``, see
    ``gzip_size``) and sha256 of one tar stream."""
    sha = hashlib.sha256() if digest else None
    size = 0

    def counted() -> Iterator[bytes]:
        nonlocal size
        for chunk in _batched(chunks):
            size += len(chunk)
            if sha is not None:
                sha.update(chunk)
            yield chunk

    gz = None
    if level is None:
        for _ in counted():
            pass
    else:
        with nullcontext(pool) if pool is not None else ThreadPoolExecutor(gzip_size.workers()) as deflating:
            gz = gzip_size.gzip_size(counted(), level, deflating, ahead=gzip_size.workers() + 1)
    return {"bytes": size, "gzip_bytes": gz, "sha256": "sha256:" + sha.hexdigest() if sha is not None else None}


def tar_split_entries(record_path: str | Path) -> Iterator[tuple[Entry, str]]:
    """(entry, raw member name) for each member of the layer tar a tar-split record describes."""
    with gzip.open(record_path, "rb") as fh:
        records = (json.loads(line) for line in fh if line.strip())
        for header, _ in parse_headers(_TarSplitBlocks(records)):
            yield classify(header), header.name


PARSED_ENTRIES_KEPT = 300_000  # members of parsed layers kept in memory (tens of MB): a few images' worth


class _ParsedLayers:
    """Each layer's members as its tar-split record lists them, parsed once per process: the size
    analysis, the security scan's replay and its secret scan each walk every layer of the same
    image (1-2 s a pass for the 75,000 members of the sample's original). The oldest go first once
    PARSED_ENTRIES_KEPT members are held. A record is immutable: its path, size and mtime name it."""

    def __init__(self) -> None:
        self.layers: OrderedDict[tuple, list[Entry]] = OrderedDict()
        self.kept = 0
        self.lock = threading.Lock()

    def entries(self, record_path: Path) -> list[Entry]:
        stat = record_path.stat()
        key = (str(record_path), stat.st_size, stat.st_mtime_ns)
        with self.lock:
            if key in self.layers:
                self.layers.move_to_end(key)
                return self.layers[key]
        parsed = [entry for entry, _ in tar_split_entries(record_path)]
        with self.lock:
            if key not in self.layers:
                self.layers[key] = parsed
                self.kept += len(parsed)
            while self.kept > PARSED_ENTRIES_KEPT and len(self.layers) > 1:
                _, dropped = self.layers.popitem(last=False)
                self.kept -= len(dropped)
        return parsed


_parsed = _ParsedLayers()


class LayerStoreImage:
    """An image in a local overlay2 engine, opened for reading: an ``ImageReader``.

    Args:
        inspect: the engine's ``docker image inspect`` of the image.

    Raises:
        LayerStoreUnavailable: another storage driver, an unreadable data root, or a layer whose
            record does not match the image (the caller falls back to ``docker save``).
    """

    source = SOURCE

    def __init__(self, inspect: dict) -> None:
        driver = inspect.get("GraphDriver") or {}
        if driver.get("Name") != "overlay2":
            raise LayerStoreUnavailable(f"storage driver is {driver.get('Name') or 'unknown'}, not overlay2")
        data = driver.get("Data") or {}
        upper = data.get("UpperDir")
        if not upper:
            raise LayerStoreUnavailable("the engine reports no overlay2 UpperDir for the image")
        # UpperDir is <data root>/overlay2/<cache id>/diff
        root = Path(upper).parent.parent.parent
        graph_dirs = [upper] + [d for d in (data.get("LowerDir") or "").split(":") if d]
        layerdb = root / "image" / "overlay2" / "layerdb" / "sha256"
        if not os.access(upper, os.R_OK | os.X_OK) or not os.access(layerdb, os.R_OK | os.X_OK):
            raise LayerStoreUnavailable(f"{root} is not readable by this process (not root, or a remote engine)")
        image_id = inspect.get("Id", "")
        config_path = root / "image" / "overlay2" / "imagedb" / "content" / image_id.replace(":", "/")
        try:
            raw_config = config_path.read_bytes()
        except OSError as exc:
            raise LayerStoreUnavailable(f"cannot read the image config: {exc}") from None
        if "sha256:" + hashlib.sha256(raw_config).hexdigest() != image_id:
            raise LayerStoreUnavailable(f"{config_path} does not hash to the image id")
        self.config: dict = json.loads(raw_config)
        diff_ids = self.config.get("rootfs", {}).get("diff_ids", [])
        if diff_ids != (inspect.get("RootFS") or {}).get("Layers", diff_ids):
            raise LayerStoreUnavailable("the config's layers differ from the engine's RootFS")
        self._records: list[Path] = []
        self._dirs: list[str] = []
        for diff_id, chain in zip(diff_ids, chain_ids(diff_ids)):
            entry = layerdb / chain.split(":", 1)[1]
            try:
                stored = (entry / "diff").read_text().strip()
                cache_id = (entry / "cache-id").read_text().strip()
            except OSError as exc:
                raise LayerStoreUnavailable(f"layer {diff_id[:19]} is not in the layer store: {exc}") from None
            record = entry / "tar-split.json.gz"
            if stored != diff_id or not record.is_file():
                raise LayerStoreUnavailable(f"layer {diff_id[:19]} has no matching tar-split record")
            self._records.append(record)
            self._dirs.append(str(root / "overlay2" / cache_id / "diff"))
        if sorted(map(os.path.normpath, graph_dirs)) != sorted(map(os.path.normpath, self._dirs)):
            raise LayerStoreUnavailable("the layer store's directories differ from the engine's GraphDriver data")
        self.history = [HistoryEntry(i, h.get("created_by", ""), h.get("created", ""), h.get("comment", ""),
                                     bool(h.get("empty_layer")))
                        for i, h in enumerate(self.config.get("history", []))]
        makers = map_history(self.config.get("history", []), diff_ids)
        self.layers = [Layer(i, diff_ids[i], self._dirs[i], self._records[i].stat().st_size, makers[i])
                       for i in range(len(diff_ids))]
        self.repo_tags = list(inspect.get("RepoTags") or [])
        # gzip sizes by diff id already known (a layer shared with an image measured before: the
        # same diff id is the same tar, so the same gzip size) and those computed here
        self.known_gzip: dict[str, int] = {}
        self.computed_gzip: dict[str, int] = {}

    def __enter__(self) -> LayerStoreImage:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        pass  # nothing held open between calls

    def entries(self, layer: Layer, want: Callable[[Entry], bool] | None = None) -> Iterator[Entry]:
        """Every member of one layer, in the order its tar holds them (see ``SavedImage.entries``):
        headers from the tar-split record, wanted contents from the layer's ``diff`` directory."""
        directory = self._dirs[layer.index]
        try:
            for entry in _parsed.entries(self._records[layer.index]):
                if want is not None and entry.type == FILE and want(entry):
                    with open(directory + entry.path, "rb") as fh:
                        data = fh.read()
                    entry = Entry(entry.path, entry.type, entry.size, entry.mode, entry.uid, entry.gid, data=data)
                yield entry
        except (tarfile.HeaderError, OSError, ValueError) as exc:
            raise LayerStoreUnavailable(f"layer {layer.index} cannot be read from the layer store: {exc}") from None

    def layer_stream(self, layer: Layer) -> Iterator[bytes]:
        """The layer's tar as ``docker save`` exports it (see ``tar_stream``)."""
        return tar_stream(self._records[layer.index], self._dirs[layer.index])

    def stream_facts(self, level: int | None, digest: bool = False, layers: list[Layer] | None = None) -> list[dict]:
        """``stream_facts`` of every layer (or of ``layers``), compressed in parallel on the cores
        available, across layers and within each (zlib releases the GIL while it compresses, so
        threads use every core)."""
        layers = self.layers if layers is None else layers

        def one(layer: Layer) -> dict:
            try:
                return stream_facts(self.layer_stream(layer), level, digest, deflating)
            except (OSError, ValueError, KeyError) as exc:
                raise LayerStoreUnavailable(f"layer {layer.index}'s tar cannot be rebuilt: {exc}") from None

        if not layers:
            return []
        # readers rebuild tars (one per layer at once), the deflating pool compresses their blocks:
        # a big layer's blocks and a small layer's share the cores
        with ThreadPoolExecutor(max_workers=gzip_size.workers()) as deflating, \
                ThreadPoolExecutor(max_workers=min(gzip_size.workers(), len(layers))) as readers:
            return list(readers.map(one, layers))

    def compressed_sizes(self, level: int) -> list[int]:
        """Each layer tar gzipped at ``level``: what a registry stores for it. The tars are
        rebuilt and compressed in parallel; layers in ``known_gzip`` are not read again, the
        others are added to ``computed_gzip``."""
        todo = [layer for layer in self.layers if layer.diff_id not in self.known_gzip]
        for layer, facts in zip(todo, self.stream_facts(level, layers=todo)):
            self.computed_gzip[layer.diff_id] = facts["gzip_bytes"]
        return [self.known_gzip.get(layer.diff_id, self.computed_gzip.get(layer.diff_id)) for layer in self.layers]

    def walk(self, want: Callable[[Entry], bool] | None = None) -> Iterator[tuple[Layer, Entry]]:
        """Every entry of every layer, bottom layer first."""
        for layer in self.layers:
            for entry in self.entries(layer, want=want):
                yield layer, entry
