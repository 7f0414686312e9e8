"""dockopt: measured, reproducible Dockerfile optimization reports."""

from __future__ import annotations

import argparse
import importlib
import sys

from helpers.errors import DockoptError

# Every subcommand, in the order `dockopt --help` lists them: its name and the module (in
# helpers/commands/, each with register(sub)) that implements it. main() imports only the module of
# the subcommand named: `dockopt lint` starts hadolint sooner when nothing else is loaded first, and
# some register() calls import what their options list (lint's rules, optimize's phases).
COMMANDS = {"engine": "engine_cmd", "base": "base_cmd", "sample": "sample_cmd", "lint": "lint_cmd",
            "measure": "measure_cmd", "clean": "clean_cmd", "report": "report_cmd", "inspect": "inspect_cmd",
            "scan": "scan_cmd", "platforms": "platforms_cmd", "optimize": "optimize_cmd", "fleet": "fleet_cmd"}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only`` (a subcommand name), a parser that knows that one alone."""
    parser = argparse.ArgumentParser(prog="dockopt", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in [only] if only in COMMANDS else COMMANDS:
        importlib.import_module(f"helpers.commands.{COMMANDS[name]}").register(sub)
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
