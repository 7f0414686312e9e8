"""BuildKit's build cache records as the engine reports them, and releasing many in few calls.

``POST /build/prune`` (``docker builder prune``) on this engine (20.10, API 1.41) takes one
value per filter: ``filters={"id": [a, b]}`` is refused ("filters expect only one value"), so
several ids are not OR-ed. The one ``id`` value is handed to BuildKit as a regular expression
(moby ``builder/builder-next/builder.go``: ``"id~=" + value``, a containerd filter), so one
anchored alternation ``^(a|b|c)$`` selects exactly the records listed and nothing else.
Within one call BuildKit prunes leaves first and goes round again until a round frees nothing
(``cache/manager.go``: ``prune`` recurses), so a chain of parent records goes in the same call;
it skips what a build uses, and what an image shares unless ``all`` is set (never set here).
Each call also runs a garbage collection of the engine's metadata store, a cost per call
whatever it releases: hence as few calls as the URL allows.

``until`` (last use older than a duration) and ``label`` (accepted, then ignored by this engine:
alone it would release everyone's unused records) cannot pick one measurement's records out of
a shared engine; ``all`` would also release what images share. Only ids can.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

from helpers.engine import connect

DF_BUSY = "a disk usage operation is already running"
PLAIN_ID = re.compile(r"[A-Za-z0-9]+")  # BuildKit's ids (identity.NewID: 25 base-36 characters)
IDS_PER_CALL = 200  # ~5 KB of URL per call; a measurement leaves tens of records


@dataclass
class Pruned:
    """What prune calls released: ids, the bytes the engine reports reclaimed, and the calls made."""

    deleted: list[str] = field(default_factory=list)
    reclaimed_bytes: int = 0
    calls: int = 0


def records(cli=None, attempts: int = 60) -> dict[str, dict]:
    """{record id: record} of the engine's build cache (``docker system df -v``).

    The engine runs one disk-usage query at a time and refuses a second (HTTP 500) rather than
    queueing it; another render or tool on the same engine may be asking, so wait for it."""
    import docker.errors

    cli = cli or connect.client()
    for attempt in range(attempts):
        try:
            return {r["ID"]: r for r in (cli.df().get("BuildCache") or [])}
        except docker.errors.APIError as exc:
            if DF_BUSY not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(1)
    return {}


def id_pattern(ids: list[str]) -> str:
    """The one ``id`` filter value that matches exactly these records: ``^(a|b)$``.

    Unquoted in the containerd filter grammar (a value runs to the next comma or space; ``|``
    inside it is a regular-expression alternation, not a quote, once the value has begun)."""
    bad = [i for i in ids if not PLAIN_ID.fullmatch(i)]
    if bad or not ids:
        raise ValueError(f"not build cache record ids: {bad or ids!r}")
    return "^(" + "|".join(ids) + ")$"


def prune(ids, cli=None, per_call: int = IDS_PER_CALL) -> Pruned:
    """Release the records ``ids`` that nothing holds, in one call per ``per_call`` ids.

    A record whose child is in a later chunk cannot go in its own chunk's call, so when the ids
    took more than one call another round runs over those left, while a round releases something.
    A record an image shares or a build uses stays (BuildKit skips it) and is simply not in
    ``deleted``."""
    import docker.errors

    cli = cli or connect.client()
    out = Pruned()
    pending = [i for i in dict.fromkeys(ids) if PLAIN_ID.fullmatch(i)]  # anything else is not a record id
    while pending:
        chunks = [pending[k:k + per_call] for k in range(0, len(pending), per_call)]
        freed = set()
        for chunk in chunks:
            out.calls += 1
            try:
                result = cli.api.prune_builds(filters={"id": id_pattern(chunk)}) or {}
            except docker.errors.APIError:
                continue  # the records stay; the caller reports them held
            wanted = set(chunk)
            deleted = [i for i in (result.get("CachesDeleted") or []) if i in wanted]
            freed.update(deleted)
            out.deleted += deleted
            out.reclaimed_bytes += int(result.get("SpaceReclaimed") or 0)
        pending = [i for i in pending if i not in freed]
        if len(chunks) == 1 or not freed:
            break  # one call already went round as often as BuildKit could
    return out


def on_this_host() -> bool:
    """Whether the engine runs on this machine (a unix socket): its clock and disk are this host's."""
    return connect.find_endpoint().host.startswith("unix://")


def free_bytes(cli=None) -> int | None:
    """Free bytes on the filesystem of the engine's data root, when this host can see it (a local engine)."""
    cli = cli or connect.client()
    root = (cli.info() or {}).get("DockerRootDir")
    try:
        stat = os.statvfs(root) if root else None
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize if stat else None
