"""The queue: one project at a time per engine, a failed engine's project retried once elsewhere."""

import threading
import time
from dataclasses import dataclass

from helpers.fleet.pool import ENGINE_FAILED, FAILED, OK, Attempt, run_pool


@dataclass
class P:
    slug: str


def recorder(outcomes=None, seconds=0.05):
    """A run function that records which engine ran what, and when, and answers ``outcomes``."""
    calls, lock, busy = [], threading.Lock(), {}

    def run(project, engine):
        with lock:
            assert not busy.get(engine), f"{engine} ran two projects at once"
            busy[engine] = True
            calls.append((project.slug, engine))
        time.sleep(seconds)
        with lock:
            busy[engine] = False
        outcome = (outcomes or {}).get((project.slug, engine), OK)
        return Attempt(project.slug, engine, outcome, seconds, "" if outcome == OK else f"{engine} broke")

    return run, calls


def test_projects_spread_over_engines_one_at_a_time():
    run, calls = recorder()
    result = run_pool([P(f"p{i}") for i in range(6)], ["a", "b"], run, log=lambda _: None)
    assert {slug for slug, _ in calls} == {f"p{i}" for i in range(6)}
    assert {engine for _, engine in calls} == {"a", "b"}
    assert all(result.final(f"p{i}").outcome == OK for i in range(6))
    assert result.seconds < 6 * 0.05  # two engines in parallel beat one


def test_an_engine_that_fails_hands_its_project_to_another_and_leaves_the_pool():
    run, calls = recorder({("p0", "a"): ENGINE_FAILED})
    result = run_pool([P("p0"), P("p1"), P("p2")], ["a", "b"], run, affinity={"p0": "a"}, log=lambda _: None)
    assert [a.engine for a in result.attempts["p0"]] == ["a", "b"]
    assert result.final("p0").outcome == OK
    assert result.dead_engines == {"a": "a broke"}
    assert all(engine == "b" for slug, engine in calls if slug != "p0")


def test_a_project_fails_on_its_own_without_retry():
    run, _ = recorder({("p0", "a"): FAILED})
    result = run_pool([P("p0")], ["a", "b"], run, affinity={"p0": "a"}, log=lambda _: None)
    assert [a.outcome for a in result.attempts["p0"]] == [FAILED]
    assert not result.dead_engines


def test_retried_once_only_then_reported():
    run, _ = recorder({("p0", "a"): ENGINE_FAILED, ("p0", "b"): ENGINE_FAILED})
    result = run_pool([P("p0"), P("p1")], ["a", "b"], run, affinity={"p0": "a", "p1": "a"}, log=lambda _: None)
    assert [a.outcome for a in result.attempts["p0"]] == [ENGINE_FAILED, ENGINE_FAILED]
    final = result.final("p1")  # both engines gone before p1 could run anywhere
    assert final.outcome in (OK, FAILED)
    if final.outcome == FAILED:
        assert "no engine left" in final.message


def test_a_project_waits_for_the_engine_that_measured_it():
    run, calls = recorder(seconds=0.1)
    run_pool([P("p0"), P("p1")], ["a", "b"], run, affinity={"p0": "b", "p1": "b"}, log=lambda _: None)
    assert dict(calls) == {"p0": "b", "p1": "b"}


def test_affinity_to_an_engine_not_in_the_pool_is_ignored():
    run, calls = recorder()
    result = run_pool([P("p0")], ["a"], run, affinity={"p0": "gone"}, log=lambda _: None)
    assert calls == [("p0", "a")] and result.final("p0").outcome == OK
