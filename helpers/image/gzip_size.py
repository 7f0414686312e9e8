"""How many bytes a layer tar takes gzipped, compressed on every core available.

A registry stores each layer as one gzip stream; its size is what a pull moves. One zlib stream is
one core's work, so the largest layer of an image (the sample original's 900 MB of site-packages)
kept one core busy while the others waited. Here the tar stream is cut into BLOCK-sized blocks
that are deflated at the same time, each primed with the 32 KiB before it (all a single stream's
window could refer back to) and ending on a byte boundary (a sync flush), the way pigz writes one
gzip stream in parallel. Joined, the blocks are one valid gzip stream (``gzip_stream`` writes it; a
test decompresses it), within a few hundredths of a percent of a single zlib stream's size at the
same level; a stream of one block is byte for byte a single stream.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor

BLOCK = 1 << 20
WINDOW = 32 << 10  # deflate's largest back-reference
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"  # what zlib writes (levels 2-8): no name, no time, Unix
TRAILER_BYTES = 8  # crc32 and length
METHOD = f"blocks of {BLOCK >> 10} KiB primed with the previous {WINDOW >> 10} KiB"


def workers() -> int:
    """The cores this process may use (not the machine's count: a container or taskset limits it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _blocks(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The stream re-cut into BLOCK-sized pieces (the last may be shorter)."""
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= BLOCK:
            yield bytes(buffer[:BLOCK])
            del buffer[:BLOCK]
    if buffer:
        yield bytes(buffer)


def _deflate(block: bytes, before: bytes, level: int, last: bool) -> bytes:
    options = {"zdict": before} if before else {}
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL,
                                  zlib.Z_DEFAULT_STRATEGY, **options)
    return compressor.compress(block) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def deflated(chunks: Iterable[bytes], level: int, pool: Executor, ahead: int) -> Iterator[tuple[bytes, bytes]]:
    """(block, its raw deflate) for each block of the stream, in order; at most ``ahead`` blocks
    are held in memory while ``pool`` deflates them."""
    pending: deque = deque()
    before = b""
    blocks = _blocks(chunks)
    block = next(blocks, b"")  # an empty stream is one empty final block
    while block is not None:
        following = next(blocks, None)
        pending.append((block, pool.submit(_deflate, block, before, level, following is None)))
        before = block[-WINDOW:]
        block = following
        while len(pending) > ahead:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


def gzip_size(chunks: Iterable[bytes], level: int, pool: Executor, ahead: int = 4) -> int:
    """Bytes of the gzip stream of ``chunks`` at ``level`` (see the module's docstring)."""
    return len(HEADER) + sum(len(body) for _, body in deflated(chunks, level, pool, ahead)) + TRAILER_BYTES


def gzip_stream(chunks: Iterable[bytes], level: int, pool: Executor) -> bytes:
    """The gzip stream whose size ``gzip_size`` counts (for tests: any gunzip reads it back)."""
    crc, length, parts = 0, 0, [HEADER]
    for block, body in deflated(chunks, level, pool, ahead=4):
        crc, length = zlib.crc32(block, crc), length + len(block)
        parts.append(body)
    return b"".join(parts) + struct.pack("<II", crc, length & 0xFFFFFFFF)
