"""dockopt: measured, reproducible Dockerfile optimization reports."""

from __future__ import annotations

import argparse
import sys

from helpers.commands import base_cmd
from helpers.commands import clean_cmd
from helpers.commands import engine_cmd
from helpers.commands import lint_cmd
from helpers.commands import measure_cmd
from helpers.commands import report_cmd
from helpers.commands import sample_cmd
from helpers.commands import inspect_cmd
from helpers.commands import scan_cmd
from helpers.commands import platforms_cmd
from helpers.commands import optimize_cmd
from helpers.commands import fleet_cmd
from helpers.errors import DockoptError

# Every subcommand, in the order `dockopt --help` lists them. Each module has register(sub).
COMMANDS = [
    engine_cmd,
    base_cmd,
    sample_cmd,
    lint_cmd,
    measure_cmd,
    clean_cmd,
    report_cmd,
    inspect_cmd,
    scan_cmd,
    platforms_cmd,
    optimize_cmd,
    fleet_cmd,
]


# Subcommand name -> its module. Some register() calls import what their options list (lint's
# rules, optimize's phases: a tenth of a second); main() registers only the subcommand named.
BY_NAME = {"engine": engine_cmd, "base": base_cmd, "sample": sample_cmd, "lint": lint_cmd,
           "measure": measure_cmd, "clean": clean_cmd, "report": report_cmd, "inspect": inspect_cmd,
           "scan": scan_cmd, "platforms": platforms_cmd, "optimize": optimize_cmd,
           "fleet": fleet_cmd}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only`` (a subcommand name), a parser that knows that one alone."""
    parser = argparse.ArgumentParser(prog="dockopt", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for command in [BY_NAME[only]] if only in BY_NAME else COMMANDS:
        command.register(sub)
    return parser


def report_error(exc: DockoptError) -> None:
    print(f"dockopt: error: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(f"  what to do: {exc.hint}", file=sys.stderr)
    if exc.evidence:
        print("  evidence:\n    " + exc.evidence.strip().replace("\n", "\n    "), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv[0] if argv else None).parse_args(argv)
    try:
        return args.func(args)
    except DockoptError as exc:
        report_error(exc)
        return 2
    except KeyboardInterrupt:
        print("dockopt: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dockopt lint ... | head`: the reader left; not an error of ours
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
