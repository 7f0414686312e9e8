"""The compressed size of a layer, deflated in blocks on every core: a real gzip stream of the same
bytes, and the same size as one zlib stream where there is one block."""

from __future__ import annotations

import gzip
import random
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers.image.gzip_size import BLOCK, gzip_size, gzip_stream


def single_stream(data: bytes, level: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def layer_like(size: int, seed: int = 7) -> bytes:
    """Text that repeats across block boundaries (what the primed window is for) and random bytes."""
    rng = random.Random(seed)
    words = [bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz_/.", k=rng.randint(3, 12))) for _ in range(4000)]
    out = bytearray()
    while len(out) < size:
        out += b" ".join(rng.choices(words, k=64)) + b"\n" if rng.random() < 0.8 else rng.randbytes(512)
    return bytes(out[:size])


def pieces(data: bytes, size: int):
    return (data[i:i + size] for i in range(0, len(data), size))


@pytest.fixture(scope="module")
def pool():
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


@pytest.mark.parametrize("size", [0, 1, 1000, BLOCK])
def test_one_block_is_one_zlib_stream_byte_for_byte(pool, size):
    data = layer_like(size)
    assert gzip_stream(pieces(data, 4096), 6, pool) == single_stream(data, 6)
    assert gzip_size(pieces(data, 4096), 6, pool) == len(single_stream(data, 6))


@pytest.mark.parametrize("level", [1, 6, 9])
def test_many_blocks_are_one_gzip_stream_of_the_same_bytes(pool, level):
    data = layer_like(5 * BLOCK + 12345)
    stream = gzip_stream(pieces(data, 300_000), level, pool)  # chunks that do not line up with blocks
    assert gzip.decompress(stream) == data
    assert gzip_size(pieces(data, 1 << 20), level, pool, ahead=1) == len(stream)


def test_the_size_is_within_a_tenth_of_a_percent_of_one_stream(pool):
    data = layer_like(6 * BLOCK)
    ours, one = gzip_size(pieces(data, 1 << 16), 6, pool), len(single_stream(data, 6))
    assert ours != one  # blocks do cost something: this is not one stream in disguise
    assert abs(ours - one) / one < 0.001, (ours, one)


def test_without_the_primed_window_the_size_would_grow(pool, monkeypatch):
    """The previous block's tail is what keeps the size that of one stream: repeated text across a
    boundary is a back-reference, not new bytes."""
    data = layer_like(4 * BLOCK)
    primed = gzip_size(pieces(data, BLOCK), 6, pool)
    import helpers.image.gzip_size as module

    monkeypatch.setattr(module, "_deflate", lambda block, before, level, last, real=module._deflate:
                        real(block, b"", level, last))
    assert gzip_size(pieces(data, BLOCK), 6, pool) > primed
