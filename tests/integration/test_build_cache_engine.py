"""The build cache a measurement creates is released once measured, in one engine call; `dockopt clean`
releases the rest. Sizes are the engine's own (``docker system df -v``), before and after."""

from __future__ import annotations

import os
import time
from collections import Counter

import docker.errors
import pytest

from helpers.builds import build_cache, buildlock, scenarios
from helpers.commands import clean_cmd
from helpers.engine import buildkit
from helpers.engine.base_images import ROOTFS_TAG
from helpers.engine.labels import RUN_LABEL
from helpers.history import store

PREFIX = os.environ.get("DOCKOPT_TEST_PREFIX", "dockopt-test")  # a helper on a shared engine uses its own
DOCKERFILE = f"""FROM {ROOTFS_TAG}
RUN head -c 6000000 /dev/urandom > /payload.bin
COPY app.txt /app/app.txt
RUN cat /app/app.txt > /app/copy.txt
"""
TAG = f"{PREFIX}/cache-release:measured"
MB = 1e6


def sizes(cli, ids) -> int:
    records = build_cache.records(cli)
    return sum(int(records[i].get("Size") or 0) for i in ids if i in records)


class CountingEngine:
    """The engine client, counting the build cache calls made through it and what prune answered."""

    def __init__(self, cli):
        self.cli, self.calls, self.deleted = cli, Counter(), []
        self.api = self

    def df(self):
        self.calls["df"] += 1
        return self.cli.df()

    def prune_builds(self, **kwargs):
        self.calls["prune"] += 1
        result = self.cli.api.prune_builds(**kwargs)
        self.deleted += result.get("CachesDeleted") or []
        return result


def test_cold_builds_are_released_and_clean_returns_the_rest(engine, base_images, tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "app.txt").write_text("v1\n")
    history = tmp_path / "history.sqlite"
    before = build_cache.snapshot(engine)
    target = scenarios.Target("cache-release", tmp_path, tmp_path / "Dockerfile", code_file="app.txt", tag=TAG)
    messages = []
    result = scenarios.measure(target, scenarios=("cold", "code"), repeats=3, history=history, log=messages.append)
    assert result["status"] == "ok", result
    assert any("releasing" in m and "while the image is analysed" in m for m in messages), messages
    build_cache.wait_for_releases()  # the engine deleted in the background; done before anything timed

    current = build_cache.records(engine)
    left = {rid: current[rid] for rid in build_cache.ours(current, before)}  # built by this measurement
    unheld = {rid: r for rid, r in left.items() if not r.get("Shared") and not r.get("InUse")}
    assert sizes(engine, unheld) < 1_000_000, f"cache nothing holds was left behind: {unheld}"
    with store.open_history(history) as hist:
        metric = lambda key: hist.conn.execute("SELECT value FROM metrics WHERE key = ?", (key,)).fetchone()[0]
        released, calls = metric("build_cache.released_bytes"), metric("build_cache.release_calls")
        remembered = hist.cache_records()
    assert released >= 2 * 6_000_000  # two of three cold builds' 6 MB layer (the third is the image's)
    assert calls == 1, f"{calls} prune calls for one measurement"
    assert remembered and set(remembered) <= set(left)
    print(f"\nmeasurement: released {released / MB:.1f} MB in {calls:.0f} prune call; "
          f"{sizes(engine, left) / MB:.1f} MB left for the image ({len(remembered)} records)")

    engine.images.remove(TAG)  # the image goes (its only tag): what it held is dockopt's to release
    message = clean_cmd.release_remembered_cache(str(history))
    assert message.startswith("released ")
    after = build_cache.records(engine)
    assert not [rid for rid in remembered if rid in after and not after[rid].get("Shared")], message
    with store.open_history(history) as hist:
        assert hist.cache_records() == [rid for rid in remembered if rid in after]


def test_one_prune_call_releases_a_chain_and_nothing_that_is_not_ours(engine, base_images, tmp_path):
    """Two cold builds (the repeats of a measurement) under the build lock, released by one call:
    the engine's own records and sizes before and after, and the calls counted."""
    (tmp_path / "app.txt").write_text("v1\n")
    run = f"cachebatch-{time.time_ns()}"
    tag = f"{PREFIX}/cache-release:chain"
    before = build_cache.snapshot(engine)
    for n in (1, 2):  # a cache mount under a fresh id per build, as a cold repeat has
        (tmp_path / "Dockerfile").write_text(DOCKERFILE.replace(
            "RUN cat", f"RUN --mount=type=cache,target=/c,id={run}-{n} head -c 2000000 /dev/urandom > /c/x\nRUN cat"))
        with buildlock.exclusive():
            buildkit.build(tmp_path, tmp_path / "Dockerfile", tag, labels={RUN_LABEL: run}, no_cache=True)
    engine.images.prune(filters={"dangling": True, "label": f"{RUN_LABEL}={run}"})

    current = build_cache.records(engine)
    mine = build_cache.ours(current, before)
    unheld = [rid for rid in mine if not current[rid].get("Shared") and not current[rid].get("InUse")]
    chained = [rid for rid in unheld if current[rid].get("Parent") in unheld]
    size_before = sizes(engine, unheld)
    # the first build's 6 MB layer and both builds' 2 MB cache mounts (the second build's layers are the image's)
    assert chained and size_before >= 6_000_000 + 2 * 2_000_000, (len(unheld), size_before)

    counting = CountingEngine(engine)
    start = time.perf_counter()
    released = build_cache.release_new(counting, before)
    seconds = time.perf_counter() - start
    assert dict(counting.calls) == {"df": 1, "prune": 1} and released.calls == 1
    assert set(counting.deleted) <= set(mine), "the prune released records that are not this test's"
    assert sorted(released.released) == sorted(unheld)  # parents with their children, in the one call
    assert sizes(engine, unheld) == 0 and released.freed_bytes >= size_before - 1_000_000
    print(f"\n{len(mine)} records ours, {len(unheld)} unheld ({len(chained)} with an unheld parent): "
          f"{size_before / MB:.1f} MB before, {sizes(engine, unheld) / MB:.1f} MB after, released in "
          f"{released.calls} prune call + {counting.calls['df']} listing, {seconds:.2f} s; "
          f"load {os.getloadavg()[0]:.2f}")

    # why one pattern and not a list of ids: this engine refuses several values for one filter
    with pytest.raises(docker.errors.APIError, match="only one value"):
        engine.api.prune_builds(filters={"id": ["0" * 25, "1" * 25]})

    engine.images.remove(tag)
    engine.images.prune(filters={"dangling": True, "label": f"{RUN_LABEL}={run}"})
    assert set(build_cache.release(engine, released.held).released) == set(released.held)
