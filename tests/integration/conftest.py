"""Shared, session-scoped builds for the engine tier: each sample scenario is built once.

Machines have 2 cores and CI a ~45 min budget, so every test here uses repeats=1 except the
one that checks the repeat/median logic on the cheapest scenario (a no-op rebuild).
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from helpers import sample, timings
from helpers.engine import base_images
from helpers.errors import EngineUnavailable

TINY_BASE = base_images.PYTHON_TAG


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def engine():
    from helpers.engine import connect

    try:
        return connect.client(timeout=30)
    except EngineUnavailable as exc:
        pytest.skip(f"no Docker engine: {exc.message}")


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
