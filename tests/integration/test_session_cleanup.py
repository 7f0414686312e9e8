"""The end of a test session removes what its measurements built and the cache they left, nothing else."""

from __future__ import annotations

import textwrap

from helpers.builds import build_cache, timings
from helpers.engine import images
from helpers.history import store
from tests.integration.conftest import TINY_BASE
from tests.support.session_cleanup import clean_session, recorded


def test_a_sessions_measurements_are_removed_with_their_cache(engine, tmp_path):
    session = tmp_path / "session"
    context = session / "ctx"
    context.mkdir(parents=True)
    (context / "app.txt").write_text("v1\n")
    (context / "Dockerfile").write_text(textwrap.dedent(f"""\
        FROM {TINY_BASE}
        RUN head -c 3000000 /dev/urandom > /blob
        COPY app.txt /app.txt
        """))
    (session / "not-a-history.sqlite").write_bytes(b"not a database")  # a test's broken file: skipped
    tag = "dockopt-build/session-cleanup:latest"
    engine.images.build(path=str(context), tag="dockopt-build/session-cleanup:not-ours", rm=True)
    frame = timings.measure_variant(context, context / "Dockerfile", "sess", scenarios=["cold", "code"], repeats=2,
                                    history=session / "h.sqlite", code_file="app.txt", tag=tag)
    build_cache.wait_for_releases()
    assert (frame["status"] == "ok").all(), frame["error"].tolist()
    labels, records = recorded(session)
    assert len(labels) == 1 and records  # the image's own layers are remembered for later
    with store.History(session / "h.sqlite") as hist:
        assert hist.cache_records()
    try:
        said = clean_session(session)
        assert said.startswith("session clean-up: 1 runs: removed 1 images"), said
        assert not images.exists(tag)
        left = build_cache.records(engine)
        assert not [rid for rid in records if rid in left and not left[rid].get("Shared")], said
        assert images.exists("dockopt-build/session-cleanup:not-ours")  # no label of its runs: not touched
        assert clean_session(tmp_path / "nothing-here") is None
    finally:
        images.remove_tag("dockopt-build/session-cleanup:not-ours")
        images.remove_tag(tag)
