"""What a test session's measurements left on the engine, removed when the session ends.

Every measurement labels what it builds with its run's label and remembers, in its history file,
the build cache its images still held (helpers.builds.build_cache). A test's history files live
in pytest's temporary folder, so after the session nothing would know those labels and records:
each CI run left its images (names carry a per-run hash) and, once they went, the cache under
them (39 GB after one run). Here, at the end of the session: the images, containers and volumes
of every run recorded in a history file under the session's folder are removed (base images
never), then the build cache those files remember is released where nothing holds it any more.
Objects of other sessions, renders or tools carry other labels and are left alone.
"""

from __future__ import annotations

from pathlib import Path


def recorded(root: Path) -> tuple[set[str], set[str]]:
    """(run labels, remembered build-cache record ids) of the history files under ``root``."""
    from helpers.errors import DockoptError
    from helpers.history import store

    labels, records = set(), set()
    for path in root.rglob("*.sqlite"):
        try:
            if store.schema_version(path) is None:
                continue  # not a history file (or not one yet)
            with store.History(path) as hist:
                labels |= {label for label in hist.runs()["run_label"].dropna() if label}
                records |= set(hist.cache_records())
        except (store.Error, DockoptError, OSError):
            continue  # a file a test made unreadable on purpose
    return labels, records


def clean_session(root: Path) -> str | None:
    """Remove what the runs recorded under ``root`` built and release the cache they remembered;
    what was done, or None when they recorded nothing."""
    from helpers.builds import build_cache
    from helpers.engine import cleanup, connect

    labels, records = recorded(root)
    if not labels and not records:
        return None
    try:
        cli = connect.client(timeout=120)
        removed = [cleanup.clean(run_label=label, cli=cli) for label in sorted(labels)]
        released = build_cache.release(cli, sorted(records))
    except connect.failures() as exc:
        return f"session clean-up skipped: the engine did not answer ({exc})"
    images = sum(len(r.images) for r in removed)
    containers = sum(len(r.containers) for r in removed)
    return (f"session clean-up: {len(labels)} runs: removed {images} images, {containers} containers; "
            f"released {released.freed_bytes / 1e6:.0f} MB of build cache ({len(released.released)} records, "
            f"{len(released.held)} still held)")
