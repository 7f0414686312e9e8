"""dockopt: measured, reproducible Dockerfile optimization reports."""

from __future__ import annotations

import argparse
import sys

from helpers.commands import base_cmd, engine_cmd, lint_cmd, optimize_cmd, sample_cmd
from helpers.errors import DockoptError

# Every subcommand, in the order `dockopt --help` lists them. Each module has register(sub).
COMMANDS = [
    engine_cmd,
    base_cmd,
    sample_cmd,
    lint_cmd,
    optimize_cmd,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dockopt", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def report_error(exc: DockoptError) -> None:
    print(f"dockopt: error: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"  what to do: {exc.hint}", file=sys.stderr)
    if exc.evidence:
        print("  evidence:\n    " + exc.evidence.strip().replace("\n", "\n    "), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DockoptError as exc:
        report_error(exc)
        return 2
    except KeyboardInterrupt:
        print("dockopt: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
