"""Images for the engine tier, each built once per session under ``dockopt-measure/`` tags.

The sample's variants are built once per session (``sample_images`` in tests/conftest.py) and
shared; scenario measurements use repeats=1 except the one test of the repeat/median logic.
Images are left for the next session (``dockopt clean`` removes them: they carry dockopt's label).
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from helpers import sample
from helpers.builds import timings
from helpers.engine import base_images
from helpers.errors import EngineUnavailable

TINY_BASE = base_images.PYTHON_TAG

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
        return connect.client(timeout=60)
    except EngineUnavailable as exc:  # the engine tier without an engine is a failure, never a skip
        pytest.fail(f"no Docker engine: {exc.message} (start one: `make engine`)", pytrace=False)


@pytest.fixture(scope="session")
def sample_tag(engine, sample_images):
    """name -> tag of the sample variant built once for the session (tests/conftest.py)."""
    return lambda name: sample_images[name].tag


@pytest.fixture(scope="session")
def sample_report(sample_tag):
    """name -> ImageReport (no compressed size: that has its own test)."""
    from helpers import sample
    from helpers.image.inspection import measure_image

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


def tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode() + b"\0")
        if p.is_file() and not p.is_symlink():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def history(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("history") / "history.sqlite"


@pytest.fixture(scope="session")
def sample_tree_before(engine):
    sample.ensure_weights()
    return tree_hash(sample.SAMPLE_CONTEXT)


@pytest.fixture(scope="session")
def original_code(engine, history, sample_tree_before):
    return timings.measure_sample("original", scenarios=["code"], repeats=1, history=history)


@pytest.fixture(scope="session")
def phase1_code_deps(engine, history, sample_tree_before):
    return timings.measure_sample("phase1", scenarios=["code", "deps"], repeats=1, history=history)


@pytest.fixture
def tiny_context(tmp_path) -> Path:
    """A context that builds in about a second on dockopt's Python base."""
    ctx = tmp_path / "tiny"
    ctx.mkdir()
    (ctx / "requirements.txt").write_text("# nothing to install\n")
    (ctx / "app.py").write_text("print('hi')\n")
    (ctx / "Dockerfile").write_text(textwrap.dedent(f"""\
        FROM {TINY_BASE}
        WORKDIR /app
        COPY requirements.txt ./
        RUN cat requirements.txt > /deps.log
        COPY app.py ./
        """))
    return ctx
