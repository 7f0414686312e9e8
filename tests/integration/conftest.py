"""Images for the engine tier, each built once per session under ``dockopt-measure/`` tags.

BuildKit's cache makes a rebuild of an unchanged variant take seconds; the images are left in
place for the next session (``dockopt clean`` removes them: they carry dockopt's label).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.support import sample_images

WASTE_TAG = "dockopt-measure/waste:wasteful"
CLEAN_TAG = "dockopt-measure/waste:clean"
BASE = "dockopt/debian:bookworm-minbase"
MB = 1024 * 1024
PAYLOAD_BYTES = 5 * MB  # copied twice: one copy reclaimable
DELETED_BYTES = 20 * MB  # written, then deleted in a later RUN
PIP_CACHE_BYTES = 3 * MB  # left in a pip cache

WASTEFUL = f"""FROM {BASE}
COPY payload/ /srv/payload/
RUN head -c {DELETED_BYTES} /dev/urandom > /tmp/big.bin
RUN mkdir -p /root/.cache/pip/wheels && head -c {PIP_CACHE_BYTES} /dev/urandom > /root/.cache/pip/wheels/x.whl
RUN rm /tmp/big.bin
COPY payload/ /srv/payload/
"""
CLEAN = f"""FROM {BASE}
COPY payload/ /srv/payload/
"""


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def engine():
    from helpers.engine import connect

    try:
        return connect.client()
    except Exception as exc:  # noqa: BLE001 - any failure means there is no engine to test
        pytest.skip(f"no Docker engine: {exc}")


@pytest.fixture(scope="session")
def sample_tag(engine):
    """name -> tag; each variant built on first use."""
    built: dict[str, str] = {}

    def get(name: str) -> str:
        if name not in built:
            built[name] = sample_images.build_variant(name)
        return built[name]

    return get


@pytest.fixture(scope="session")
def sample_report(sample_tag):
    """name -> ImageReport (no compressed size: that has its own test)."""
    from helpers import sample
    from helpers.inspection import measure_image

    reports = {}

    def get(name: str):
        if name not in reports:
            reports[name] = measure_image(sample_tag(name), sample.variant(name).dockerfile, compressed=False)
        return reports[name]

    return get


def payload(size: int) -> bytes:
    out, block = bytearray(), 0
    while len(out) < size:
        out += hashlib.sha256(block.to_bytes(8, "little")).digest()
        block += 1
    return bytes(out[:size])


@pytest.fixture(scope="session")
def waste_pair(engine, tmp_path_factory) -> tuple[str, str, Path]:
    """An image with known waste, its twin built without it, and the wasteful one's Dockerfile."""
    from helpers.engine import buildkit

    context: Path = tmp_path_factory.mktemp("waste-context")
    (context / "payload").mkdir()
    (context / "payload" / "data.bin").write_bytes(payload(PAYLOAD_BYTES))
    (context / "Dockerfile.wasteful").write_text(WASTEFUL)
    (context / "Dockerfile.clean").write_text(CLEAN)
    buildkit.build(context, context / "Dockerfile.wasteful", WASTE_TAG)
    buildkit.build(context, context / "Dockerfile.clean", CLEAN_TAG)
    return WASTE_TAG, CLEAN_TAG, context / "Dockerfile.wasteful"
