"""Which records a measurement releases, and how many engine calls that takes (recorded engine output)."""

import threading
from datetime import datetime, timezone

import pytest

from helpers.builds import build_cache, buildlock
from tests.unit.engine.recorded_buildkit import RecordedBuildKit, recorded


@pytest.fixture
def measured(monkeypatch):
    """The recorded measurement's records, and this process holding the build lock when they were built."""
    data = recorded("measured.json")
    monkeypatch.setattr(buildlock, "_held", [(*w, threading.get_ident()) for w in data["windows"]])
    return data


def stamp(at: float) -> str:
    """A time as the engine writes it: RFC 3339, nanoseconds, UTC."""
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def test_engine_times_read_to_the_microsecond():
    assert build_cache.created_at({"CreatedAt": "2026-12-03T21:40:01.123456789Z"}) == pytest.approx(
        datetime(2026, 12, 3, 21, 40, 1, 123456, timezone.utc).timestamp())
    assert build_cache.created_at({"CreatedAt": "2026-12-03T21:40:01Z"}) == pytest.approx(
        datetime(2026, 12, 3, 21, 40, 1, tzinfo=timezone.utc).timestamp())
    assert build_cache.created_at({"CreatedAt": "2026-12-03T22:40:01.5+01:00"}) == pytest.approx(
        datetime(2026, 12, 3, 21, 40, 1, 500000, timezone.utc).timestamp())
    assert build_cache.created_at({}) is None


def engine_answer() -> tuple[set, set]:
    """(deleted, left) as the engine answered the recorded release."""
    return (set(recorded("prune-response.json")["CachesDeleted"]),
            {r["ID"] for r in recorded("released.json")["BuildCache"]})


def test_a_measurement_is_released_with_one_listing_and_one_prune(measured):
    engine = RecordedBuildKit(measured["BuildCache"])
    before = build_cache.Snapshot(set(), measured["windows"][0][0] - 1)
    released = build_cache.release_new(engine, before)
    assert dict(engine.calls) == {"df": 1, "prune": 1} and released.calls == 1
    deleted, left = engine_answer()
    seen = deleted | left
    assert sorted(set(released.released) | (set(measured["asked"]) - set(released.released) - seen)) \
        == sorted(measured["asked"])  # what the recording asked for is what the policy asks for
    assert set(released.released) & seen == deleted and released.freed_bytes > 0
    assert not set(released.held) & deleted


def test_cache_another_build_made_while_we_waited_for_the_lock_is_not_ours(measured):
    first, second = measured["windows"]
    theirs = [dict(r, ID=f"t{k:024d}", Parent="", CreatedAt=stamp((first[1] + second[0]) / 2))
              for k, r in enumerate(measured["BuildCache"][:3])]
    engine = RecordedBuildKit(measured["BuildCache"] + theirs)
    released = build_cache.release_new(engine, build_cache.Snapshot(set(), first[0] - 1))
    assert all(r["ID"] in engine.records for r in theirs)
    assert not {r["ID"] for r in theirs} & set(released.released + released.held)
    assert released.calls == 1


def test_records_from_before_the_measurement_are_not_ours(measured):
    engine = RecordedBuildKit(measured["BuildCache"])
    before = build_cache.Snapshot({r["ID"] for r in measured["BuildCache"]}, measured["windows"][0][0] - 1)
    released = build_cache.release_new(engine, before)
    assert (released.released, released.held, engine.calls["prune"]) == ([], [], 0)


def test_a_remote_engine_clock_is_not_compared_new_since_the_snapshot_is_ours(measured, monkeypatch):
    monkeypatch.setattr(buildlock, "_held", [])  # no window would match
    engine = RecordedBuildKit(measured["BuildCache"])
    released = build_cache.release_new(engine, build_cache.Snapshot(set(), 0.0, same_clock=False))
    new_unheld = {r["ID"] for r in measured["BuildCache"] if not r["Shared"] and not r["InUse"]}
    assert set(released.released) == new_unheld >= set(measured["asked"])  # others' new records too


def test_clean_releases_remembered_records_and_forgets_those_gone(measured):
    engine = RecordedBuildKit(measured["BuildCache"])
    windows = [tuple(w) for w in measured["windows"]]
    held = sorted(r["ID"] for r in measured["BuildCache"] if r["Shared"] and build_cache.made_by_us(r, windows))
    released = build_cache.release(engine, held + ["gone0000000000000000000000"])
    assert released.held == held and released.released == [] and engine.calls["prune"] == 0  # shared: no call
    for rid in held:  # the image went: nothing shares them now
        engine.records[rid]["Shared"] = False
    released = build_cache.release(engine, held)
    assert sorted(released.released) == held and released.held == [] and released.calls == 1


def test_on_this_host_a_snapshot_needs_no_listing_a_remote_engine_one(monkeypatch):
    engine = RecordedBuildKit(recorded("measured.json")["BuildCache"])
    monkeypatch.setattr(build_cache.build_records, "on_this_host", lambda: True)
    local = build_cache.snapshot(engine)
    assert engine.calls["df"] == 0 and local.same_clock and not local.ids
    monkeypatch.setattr(build_cache.build_records, "on_this_host", lambda: False)
    remote = build_cache.snapshot(engine)
    assert engine.calls["df"] == 1 and not remote.same_clock and remote.ids == set(engine.records)


def test_without_a_snapshot_nothing_is_ours(measured):
    engine = RecordedBuildKit(measured["BuildCache"])
    assert build_cache.release_new(engine, None) == build_cache.Released() and not engine.calls


def test_another_threads_builds_are_another_measurements(measured, monkeypatch):
    monkeypatch.setattr(buildlock, "_held", [(*w, -1) for w in measured["windows"]])
    engine = RecordedBuildKit(measured["BuildCache"])
    released = build_cache.release_new(engine, build_cache.Snapshot(set(), 0.0))
    assert (released.released, released.held, engine.calls["prune"]) == ([], [], 0)


def test_the_build_lock_remembers_when_this_thread_held_it(tmp_path):
    import time

    since = time.time()
    with buildlock.exclusive(tmp_path / "lock"):
        inside = time.time()
    (start, end), = buildlock.held_since(since)
    assert since <= start <= inside <= end
    assert buildlock.held_since(time.time() + 1) == []


def test_a_measurement_that_built_nothing_asks_the_engine_nothing(measured):
    engine = RecordedBuildKit(measured["BuildCache"])
    after_the_builds = build_cache.Snapshot(set(), measured["windows"][-1][1] + 1)  # every scenario reused
    assert build_cache.release_new(engine, after_the_builds) == build_cache.Released() and not engine.calls


class LockCheckingBuildKit(RecordedBuildKit):
    """The recorded engine, noting whether the build lock was held while it deleted."""

    def __init__(self, records, lock_path, fail=False):
        super().__init__(records)
        self.lock_path, self.fail, self.lock_was_held = lock_path, fail, None

    def prune_builds(self, **kwargs):
        import fcntl

        with open(self.lock_path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fh, fcntl.LOCK_UN)
                self.lock_was_held = False
            except BlockingIOError:
                self.lock_was_held = True
        if self.fail:
            raise ConnectionError("the engine went away")
        return super().prune_builds(**kwargs)


def test_a_release_later_decides_now_and_deletes_in_the_background_holding_the_lock(measured, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.setenv("DOCKOPT_BUILD_LOCK", str(tmp_path / "lock"))
    before = build_cache.Snapshot(set(), measured["windows"][0][0] - 1)
    now = build_cache.release_new(RecordedBuildKit(measured["BuildCache"]), before)  # what it does at once
    engine = LockCheckingBuildKit(measured["BuildCache"], tmp_path / "lock")
    results = []
    planned = build_cache.release_new_later(engine, before, results.append)
    assert engine.calls["df"] == 1  # the listing and the decision are the measuring thread's
    assert set(planned.releasing) >= set(now.released) and set(planned.held) <= set(now.held)
    assert planned.releasing_bytes >= now.freed_bytes > 0
    assert build_cache.wait_for_releases() >= 0 and build_cache.wait_for_releases() < 0.5  # nothing left
    (released,) = results
    assert (sorted(released.released), sorted(released.held)) == (sorted(now.released), sorted(now.held))
    assert engine.lock_was_held is True  # no build of ours could start (and be timed) while the engine deleted


def test_a_release_the_engine_dropped_remembers_every_record_for_clean(measured, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKOPT_BUILD_LOCK", str(tmp_path / "lock"))
    before = build_cache.Snapshot(set(), measured["windows"][0][0] - 1)
    results = []
    planned = build_cache.release_new_later(LockCheckingBuildKit(measured["BuildCache"], tmp_path / "lock", fail=True),
                                            before, results.append)
    build_cache.wait_for_releases()
    (released,) = results
    assert released.released == [] and sorted(released.held) == sorted(planned.releasing + planned.held)


def test_nothing_of_ours_starts_no_thread(measured):
    engine = RecordedBuildKit(measured["BuildCache"])
    results = []
    after_the_builds = build_cache.Snapshot(set(), measured["windows"][-1][1] + 1)
    assert build_cache.release_new_later(engine, after_the_builds, results.append) == build_cache.Planned()
    assert build_cache.wait_for_releases() < 0.5 and results == [] and not engine.calls
