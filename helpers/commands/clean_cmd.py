"""``dockopt clean``: remove the containers, volumes and images dockopt created (labelled), nothing else."""

from __future__ import annotations


def run(args) -> int:
    from helpers.builds import scratch
    from helpers.engine import cleanup

    removed = cleanup.clean(run_label=args.run, include_bases=args.include_bases)
    print(removed.summary())
    if not args.run:
        print(release_remembered_cache(args.history))
        removed_scratch, in_use = scratch.remove_unused()
        if removed_scratch:
            print(f"removed {len(removed_scratch)} temporary folder(s) of derived Dockerfiles and context copies")
        if in_use:
            print(f"kept {len(in_use)} temporary folder(s) a running render is using: {', '.join(in_use)}")
    return 0


def release_remembered_cache(history: str | None) -> str:
    """The build cache measurements left for their images, released now that the images are gone."""
    from helpers.builds import build_cache
    from helpers.history import store
    from helpers.paths import DEFAULT_HISTORY

    with store.open_history(history or DEFAULT_HISTORY) as hist:
        ids = hist.cache_records()
        released = build_cache.release(None, ids)  # None: the engine module connects
        gone = set(ids) - set(released.held)
        hist.forget_cache_records(sorted(gone))
    return (f"released {released.freed_bytes / 1e6:.0f} MB of build cache dockopt created "
            f"({len(released.released)} records); {len(released.held)} still held by images or builds")


def register(sub) -> None:
    parser = sub.add_parser("clean", help="remove only what dockopt created (labelled objects)")
    parser.add_argument("--run", metavar="LABEL", help="only objects of one run (its org.dockopt.run label)")
    parser.add_argument("--history", help="the history file that remembers dockopt's build cache "
                        "(default: reports/history.sqlite)")
    parser.add_argument("--include-bases", action="store_true",
                        help="also remove dockopt's Debian-built base images (slow to rebuild)")
    parser.set_defaults(func=run)
