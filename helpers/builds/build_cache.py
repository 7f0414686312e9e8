"""The BuildKit cache a measurement creates: released once measured, the rest remembered for `dockopt clean`.

A cold build (``--no-cache``, fresh cache mounts) writes every layer anew, three times with
three repeats; a code-change rebuild writes an image that is then untagged. None of that is
needed after the numbers are taken. BuildKit cannot tell whose cache a record is, so a
measurement takes as its own the records BuildKit created while this process held the build
lock (helpers.builds.buildlock: no other dockopt build ran then; a record's ``CreatedAt`` says
when), releases those that nothing holds any more (no image shares them, no build uses them)
in one engine call (helpers.engine.build_records), and hands the ids of the rest (those the
final image still shares) to the history file, so ``dockopt clean`` can release them once the
images are gone. A build outside dockopt running at the same time on the same engine may lose
cache it could have reused, never an image or a running build's state.

The engine deleting what a measurement released takes seconds (the files of every cold build's
layers). ``release_new_later`` decides what is ours and what is held at once, then leaves the
deletion to a thread that holds the build lock meanwhile, so it overlaps the image analysis that
follows (and the runtime checks, which judge states and report no time) instead of adding to it;
``wait_for_releases`` comes before the next build and before a measurement returns, so no timed
figure is taken while the engine deletes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from helpers.builds import buildlock
from helpers.engine import build_records

DF_BUSY = build_records.DF_BUSY


@dataclass
class Released:
    freed_bytes: int = 0
    released: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # still shared with an image or in use: for `dockopt clean`
    calls: int = 0  # prune calls made to the engine


@dataclass
class Snapshot:
    """The records present when a measurement started, and when (wall clock) that was."""

    ids: set[str]  # listed only for a remote engine (see ``snapshot``)
    taken_at: float
    same_clock: bool = True  # the engine runs on this host: its record times compare with ours

    def __contains__(self, rid: str) -> bool:
        return rid in self.ids


def records(cli) -> dict[str, dict]:
    return build_records.records(cli)


def snapshot(cli) -> Snapshot:
    """Where a measurement starts from. On this host the build lock's windows alone say what is
    ours (what BuildKit made in them is new), so no listing is needed; a remote engine's clock is
    not ours to compare, so the records present are listed instead."""
    import time

    taken_at = time.time()
    if build_records.on_this_host():
        return Snapshot(set(), taken_at)
    return Snapshot(set(records(cli)), taken_at, same_clock=False)


def created_at(record: dict) -> float | None:
    """A record's ``CreatedAt`` (RFC 3339 with nanoseconds, as Go writes it) as a POSIX time."""
    text = str(record.get("CreatedAt") or "")
    head, dot, rest = text.partition(".")
    if dot:  # Python reads at most microseconds: keep 6 digits of the fraction, then the zone
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[:min(digits, 6)]}{rest[digits:]}"
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def made_by_us(record: dict, windows: list[tuple[float, float]]) -> bool:
    """Whether BuildKit created ``record`` while this process held the build lock."""
    at = created_at(record)
    return at is not None and any(start <= at <= end for start, end in windows)


def ours(current: dict[str, dict], before: Snapshot) -> list[str]:
    """The records of ``current`` that this measurement created (see the module docstring)."""
    new = {rid: r for rid, r in current.items() if rid not in before}
    if not before.same_clock:
        return list(new)  # a remote engine's clock is not ours: new since the snapshot is all we know
    windows = buildlock.held_since(before.taken_at)
    return [rid for rid, r in new.items() if made_by_us(r, windows)]


def release(cli, ids, current: dict[str, dict] | None = None) -> Released:
    """Prune each of ``ids`` that no image shares and no build uses; the others are reported held.

    ``current`` is the engine's record list when the caller already has it. Records the engine
    no longer has are neither released nor held. One prune call releases them all, leaves first
    (helpers.engine.build_records); what the engine says it deleted is what was released.
    """
    current = records(cli) if current is None else current
    present, free = _unheld(ids, current)
    pruned = build_records.prune(free, cli) if free else build_records.Pruned()
    deleted = set(pruned.deleted)
    return Released(freed_bytes=pruned.reclaimed_bytes, released=[r for r in present if r in deleted],
                    held=[r for r in present if r not in deleted], calls=pruned.calls)


def _unheld(ids, current: dict[str, dict]) -> tuple[list[str], list[str]]:
    """(the ids the engine still lists, those of them no image shares and no build uses)."""
    present = [rid for rid in dict.fromkeys(ids) if rid in current]
    return present, [rid for rid in present if not current[rid].get("InUse") and not current[rid].get("Shared")]


def release_new(cli, before: Snapshot | None) -> Released:
    """Release what this measurement created since ``before`` (see the module docstring); with no
    snapshot nothing is known to be ours, and nothing is released; with no build since (every
    scenario reused) there is nothing to look for."""
    if before is None or (before.same_clock and not buildlock.held_since(before.taken_at)):
        return Released()
    current = records(cli)
    return release(cli, ours(current, before), current)


_pending: list[threading.Thread] = []
_pending_lock = threading.Lock()


@dataclass
class Planned:
    """What a release will do, known before the engine does it."""

    releasing: list[str] = field(default_factory=list)  # nothing holds them: the engine is asked to delete them
    releasing_bytes: int = 0  # their sizes as the engine lists them
    held: list[str] = field(default_factory=list)  # shared with an image or in use: for `dockopt clean`


def release_new_later(cli, before: Snapshot | None, done: Callable[[Released], None]) -> Planned:
    """``release_new``, with the engine's deletion in a background thread holding the build lock;
    ``done`` gets its result there (the caller's history connection belongs to the caller's thread:
    ``done`` opens its own). What is ours is decided here, in the measuring thread, whose build-lock
    windows say so."""
    if before is None or (before.same_clock and not buildlock.held_since(before.taken_at)):
        return Planned()
    current = records(cli)
    mine, free = _unheld(ours(current, before), current)
    planned = Planned(free, sum(int(current[rid].get("Size") or 0) for rid in free),
                      [rid for rid in mine if rid not in free])

    def work() -> None:
        try:
            with buildlock.exclusive():
                result = release(cli, mine, current)
        except Exception:  # noqa: BLE001 - the engine went away mid-release: all stay for `dockopt clean`
            result = Released(held=list(mine))
        done(result)

    thread = threading.Thread(target=work, name="dockopt-build-cache-release")
    with _pending_lock:
        _pending.append(thread)
    thread.start()
    return planned


def wait_for_releases() -> float:
    """Wait for the releases still running in this process (before anything timed); the seconds waited."""
    start = time.perf_counter()
    while True:
        with _pending_lock:
            if not _pending:
                return time.perf_counter() - start
            thread = _pending.pop(0)
        thread.join()


def engine_free_bytes(cli) -> int | None:
    """Free bytes on the filesystem of the engine's data root, when this host can see it (a local engine)."""
    return build_records.free_bytes(cli)


def disk_warning(free_bytes: int | None, needed_bytes: int | None) -> str | None:
    """The warning a run prints before it starts when the engine's disk looks too small for it."""
    if free_bytes is None or needed_bytes is None or free_bytes >= needed_bytes:
        return None
    return (f"warning: the engine's disk has {free_bytes / 1e9:.1f} GB free; measuring these Dockerfiles took "
            f"{needed_bytes / 1e9:.1f} GB last time (history). Free space first (`dockopt clean`, "
            f"`docker system df`), or the run may stop with 'no space left on device'.")


def needed_bytes(history, dockerfiles: list[str], variants: int = 4) -> int | None:
    """What a run needs, from the history: the larger of these Dockerfiles' own last growth and the
    typical growth of one measured Dockerfile times the variants a report builds; None with no history."""
    own = history.disk_estimate(dockerfiles)
    typical = history.typical_disk_growth()
    guesses = [g for g in (own, typical * variants if typical is not None else None) if g is not None]
    return max(guesses) if guesses else None
