"""The build cache a measurement creates is released once measured; `dockopt clean` releases the rest."""

from __future__ import annotations

from helpers.builds import build_cache, scenarios
from helpers.history import store
from helpers.commands import clean_cmd
from helpers.engine.base_images import ROOTFS_TAG

DOCKERFILE = f"""FROM {ROOTFS_TAG}
RUN head -c 6000000 /dev/urandom > /payload.bin
COPY app.txt /app/app.txt
RUN cat /app/app.txt > /app/copy.txt
"""
TAG = "dockopt-test/cache-release:measured"


def sizes(cli, ids) -> int:
    records = build_cache.records(cli)
    return sum(int(records[i].get("Size") or 0) for i in ids if i in records)


def test_cold_builds_are_released_and_clean_returns_the_rest(engine, base_images, tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "app.txt").write_text("v1\n")
    history = tmp_path / "history.sqlite"
    before = build_cache.snapshot(engine)
    target = scenarios.Target("cache-release", tmp_path, tmp_path / "Dockerfile", code_file="app.txt", tag=TAG)
    result = scenarios.measure(target, scenarios=("cold", "code"), repeats=3, history=history, log=lambda m: None)
    assert result["status"] == "ok", result

    left = {rid: r for rid, r in build_cache.records(engine).items() if rid not in before}
    unheld = {rid: r for rid, r in left.items() if not r.get("Shared") and not r.get("InUse")}
    assert sizes(engine, unheld) < 1_000_000, f"cache nothing holds was left behind: {unheld}"
    with store.open_history(history) as hist:
        released = hist.conn.execute("SELECT value FROM metrics WHERE key = 'build_cache.released_bytes'").fetchone()[0]
        remembered = hist.cache_records()
    assert released >= 2 * 6_000_000  # two of three cold builds' 6 MB layer (the third is the image's)
    assert remembered and set(remembered) <= set(left)

    engine.images.remove(TAG)  # the image goes: what it held is dockopt's to release
    engine.images.prune(filters={"dangling": True})
    message = clean_cmd.release_remembered_cache(str(history))
    assert message.startswith("released ")
    after = build_cache.records(engine)
    assert not [rid for rid in remembered if rid in after and not after[rid].get("Shared")], message
    with store.open_history(history) as hist:
        assert hist.cache_records() == [rid for rid in remembered if rid in after]
