"""The BuildKit cache a measurement creates: released once measured, the rest remembered for `dockopt clean`.

A cold build (``--no-cache``, fresh cache mounts) writes every layer anew, three times with
three repeats; a code-change rebuild writes an image that is then untagged. None of that is
needed after the numbers are taken. BuildKit cannot tell whose cache a record is, so a
measurement notes which records appeared while it ran, releases those that nothing holds any
more (no image shares them, no build uses them), and hands the ids of the rest (those the
final image still shares) to the history file, so ``dockopt clean`` can release them once the
images are gone. Another build running at the same time on the same engine may lose cache it
could have reused, never an image or a running build's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Released:
    freed_bytes: int = 0
    released: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # still shared with an image or in use: for `dockopt clean`


DF_BUSY = "a disk usage operation is already running"


def records(cli, attempts: int = 60) -> dict[str, dict]:
    """{record id: record} of the engine's build cache (``docker system df -v``).

    The engine runs one disk-usage query at a time and refuses a second (HTTP 500) rather than
    queueing it; another render or tool on the same engine may be asking, so wait for it."""
    import time

    import docker.errors

    for attempt in range(attempts):
        try:
            return {r["ID"]: r for r in (cli.df().get("BuildCache") or [])}
        except docker.errors.APIError as exc:
            if DF_BUSY not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(1)
    return {}


def snapshot(cli) -> set[str]:
    return set(records(cli))


def release(cli, ids) -> Released:
    """Prune each of ``ids`` that no image shares and no build uses; the others are reported held.

    A record cannot go while a child record (the next layer built on it) exists, so pruning
    goes round again while a round released something: leaves first, then their parents.
    """
    out = Released()
    pending = list(dict.fromkeys(ids))
    while pending:
        current = records(cli)
        pending = [rid for rid in pending if rid in current]
        progress = False
        for rid in list(pending):
            record = current[rid]
            if record.get("InUse") or record.get("Shared"):
                continue
            if _prune_one(cli, rid):
                out.released.append(rid)
                out.freed_bytes += int(record.get("Size") or 0)
                pending.remove(rid)
                progress = True
        if not progress:
            break
    out.held = pending
    return out


def _prune_one(cli, rid: str) -> bool:
    import docker.errors

    try:  # one id per call: this API accepts one value per filter
        result = cli.api.prune_builds(filters={"id": rid})
    except docker.errors.APIError:
        return False
    return rid in (result.get("CachesDeleted") or [])


def release_new(cli, before: set[str]) -> Released:
    """Release what appeared since ``before`` (see the module docstring)."""
    return release(cli, [rid for rid in records(cli) if rid not in before])


def engine_free_bytes(cli) -> int | None:
    """Free bytes on the filesystem of the engine's data root, when this host can see it (a local engine)."""
    import os

    root = (cli.info() or {}).get("DockerRootDir")
    try:
        stat = os.statvfs(root) if root else None
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize if stat else None


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
