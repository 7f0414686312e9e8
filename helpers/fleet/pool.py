"""The queue: one worker thread per engine, each engine running one project at a time.

Docker engines (and BuildKit behind them) are the distributed layer; this is only a queue. A
project whose engine fails or vanishes is retried once on another engine that is still up; the
engine that failed takes no more projects. A project measured on an engine in an earlier run
waits for that engine (its measurements are reused there, a re-run resumes) unless the engine is
gone from the pool.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

OK, FAILED, ENGINE_FAILED = "ok", "failed", "engine failed"


@dataclass
class Attempt:
    """One project on one engine."""

    project: str
    engine: str
    outcome: str  # OK | FAILED (the project itself) | ENGINE_FAILED (the engine went away or broke)
    seconds: float = 0.0
    message: str = ""
    started_at: float = 0.0


@dataclass
class _Item:
    project: object
    key: str
    tried: list[str] = field(default_factory=list)


@dataclass
class PoolResult:
    attempts: dict[str, list[Attempt]]  # project key -> attempts in order
    dead_engines: dict[str, str]  # engine name -> why it left the pool
    seconds: float

    def final(self, key: str) -> Attempt:
        return self.attempts[key][-1]


def run_pool(projects: list, engines: list[str], run: Callable[[object, str], Attempt],
             key: Callable[[object], str] = lambda p: p.slug, affinity: dict[str, str] | None = None,
             max_attempts: int = 2, log=print) -> PoolResult:
    """Run ``run(project, engine)`` for every project, one at a time per engine, over all engines.

    ``affinity`` maps a project key to the engine that measured it before (kept when that engine
    is in the pool and up). Returns every attempt; a project that could not be placed (no engine
    left) gets a final FAILED attempt saying so."""
    affinity = {k: v for k, v in (affinity or {}).items() if v in engines}
    pending = [_Item(p, key(p)) for p in projects]
    attempts: dict[str, list[Attempt]] = {item.key: [] for item in pending}
    alive, dead = set(engines), {}
    running = 0
    cond = threading.Condition()
    start = time.perf_counter()

    def take(engine: str) -> _Item | None:
        usable = [i for i in pending if engine not in i.tried]
        for rank in (lambda i: affinity.get(i.key) == engine,
                     lambda i: affinity.get(i.key) not in alive or i.tried):
            for item in usable:
                if rank(item):
                    pending.remove(item)
                    return item
        return None

    def give_up_unplaceable() -> None:
        """Items no live engine may take (all tried, or every engine gone) are finished as failed."""
        for item in list(pending):
            if not (alive - set(item.tried)):
                pending.remove(item)
                tried = ", ".join(item.tried) or "none"
                why = "; ".join(f"{e}: {dead[e]}" for e in item.tried if e in dead)
                attempts[item.key].append(Attempt(item.key, "", FAILED,
                                                  message=f"no engine left to run it (tried: {tried}){': ' + why if why else ''}"))

    def worker(engine: str) -> None:
        nonlocal running
        while True:
            with cond:
                while True:
                    if engine not in alive:
                        return
                    item = take(engine)
                    if item is not None:
                        running += 1
                        break
                    if not pending and running == 0:  # all done (a running one may still requeue)
                        cond.notify_all()
                        return
                    cond.wait(timeout=1.0)
            attempt = run(item.project, engine)
            attempt.engine = engine
            with cond:
                running -= 1
                attempts[item.key].append(attempt)
                item.tried.append(engine)
                if attempt.outcome == ENGINE_FAILED:
                    alive.discard(engine)
                    dead[engine] = attempt.message
                    if len(item.tried) < max_attempts:
                        log(f"fleet: {item.key}: engine {engine} failed ({attempt.message}); retrying on another engine")
                        pending.append(item)
                    else:
                        log(f"fleet: {item.key}: engine {engine} failed ({attempt.message}); no retry left")
                give_up_unplaceable()
                cond.notify_all()

    threads = [threading.Thread(target=worker, args=(engine,), name=f"fleet-{engine}", daemon=True)
               for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with cond:
        give_up_unplaceable()
        for item in pending:  # cannot happen once every worker returned, but never lose a project
            attempts[item.key].append(Attempt(item.key, "", FAILED, message="not run: no engine took it"))
    return PoolResult(attempts, dead, time.perf_counter() - start)
