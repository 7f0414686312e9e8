"""Releasing many build cache records in as few engine calls as the engine allows."""

import re

import pytest

from helpers.engine import build_records
from tests.unit.engine.recorded_buildkit import RecordedBuildKit, recorded

A, B, C = "k3v0yq8m2n4p6r8t0w2y4a6c8", "z9x7v5t3r1p9n7l5j3h1f9d7b", "abc"


def test_the_id_pattern_matches_exactly_the_ids_listed():
    pattern = re.compile(build_records.id_pattern([A, B, C]))
    assert all(pattern.search(i) for i in (A, B, C))
    # the engine searches the id for the value: without anchors "abc" would take "xabcx" too
    assert not any(pattern.search(i) for i in ("xabc", "abcd", A[:-1], A + "0", f"{A}|{B}", "ab"))


@pytest.mark.parametrize("ids", [[], ["a,b"], ["a b"], ["^.*$"], ["ab", "c|d"]])
def test_what_is_not_a_record_id_never_reaches_a_pattern(ids):
    with pytest.raises(ValueError):
        build_records.id_pattern(ids)


def chain(n: int, prefix: str = "r") -> list[dict]:
    """n records, each the parent of the next (a Dockerfile's layers), 10 bytes each."""
    ids = [f"{prefix}{k:024d}" for k in range(n)]
    return [{"ID": rid, "Parent": ids[k - 1] if k else "", "Size": 10, "Shared": False, "InUse": False}
            for k, rid in enumerate(ids)]


def test_one_call_releases_a_whole_chain_leaves_first():
    engine = RecordedBuildKit(chain(6))
    pruned = build_records.prune(list(engine.records), engine)
    assert (pruned.calls, len(pruned.deleted), pruned.reclaimed_bytes) == (1, 6, 60)
    assert engine.records == {}


def test_a_chain_split_over_calls_goes_round_until_nothing_more_goes():
    records = chain(5)
    engine = RecordedBuildKit(records)
    ids = [r["ID"] for r in records]  # parents first: each call can only take the chunk's leaves
    pruned = build_records.prune(ids, engine, per_call=2)
    assert engine.records == {} and sorted(pruned.deleted) == sorted(ids)
    assert pruned.calls == engine.calls["prune"] > 3  # rounds of 3 calls, fewer as ids go


def test_held_records_and_records_not_listed_stay():
    records = chain(3) + chain(2, prefix="o")  # o...: another build's records
    records[1]["Shared"] = records[0]["Shared"] = True  # the image's layers: BuildKit marks the parents too
    engine = RecordedBuildKit(records)
    pruned = build_records.prune([r["ID"] for r in records[:3]], engine)
    assert pruned.deleted == [records[2]["ID"]] and pruned.calls == 1
    assert set(engine.records) == {records[0]["ID"], records[1]["ID"], *(r["ID"] for r in records[3:])}


def test_the_recorded_measurement_goes_in_one_call_as_it_did_on_the_engine():
    measured, real = recorded("measured.json"), recorded("prune-response.json")
    engine = RecordedBuildKit(measured["BuildCache"])
    pruned = build_records.prune(measured["asked"], engine)
    assert pruned.calls == 1
    # compared on what the engine answered for: a record another build's own clean-up took in
    # between (another agent's build on the same engine) is neither deleted nor left
    deleted, left = set(real["CachesDeleted"]), {r["ID"] for r in recorded("released.json")["BuildCache"]}
    seen = deleted | left
    assert set(pruned.deleted) & seen == deleted and pruned.reclaimed_bytes >= real["SpaceReclaimed"]
    assert set(engine.records) & seen == left
