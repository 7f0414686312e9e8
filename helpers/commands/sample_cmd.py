"""``dockopt sample``: generate the sample project's (never committed) model-weights file."""

from __future__ import annotations


def run(args) -> int:
    from helpers import sample

    path = sample.ensure_weights()
    print(f"sample model weights: {path} ({path.stat().st_size} bytes)")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("sample", help="generate the sample project's model-weights file")
    parser.set_defaults(func=run)
