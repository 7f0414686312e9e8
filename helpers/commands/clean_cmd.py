"""``dockopt clean``: remove the containers, volumes and images dockopt created (labelled), nothing else."""

from __future__ import annotations


def run(args) -> int:
    from helpers import cleanup

    removed = cleanup.clean(run_label=args.run, include_bases=args.include_bases)
    print(removed.summary())
    return 0


def register(sub) -> None:
    parser = sub.add_parser("clean", help="remove only what dockopt created (labelled objects)")
    parser.add_argument("--run", metavar="LABEL", help="only objects of one run (its org.dockopt.run label)")
    parser.add_argument("--include-bases", action="store_true",
                        help="also remove dockopt's Debian-built base images (slow to rebuild)")
    parser.set_defaults(func=run)
