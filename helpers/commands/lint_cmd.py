"""``dockopt lint PATH``: findings for a Dockerfile; the exit code tells CI whether to fail.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 dockopt could not
lint (unreadable Dockerfile, missing context, bad config), printed by ``cli.report_error``.
"""

from __future__ import annotations


def run(args) -> int:
    from helpers.lint import lint_dockerfile
    from helpers.lint.formatters import render

    result = lint_dockerfile(args.path, context=args.context, hadolint=not args.no_hadolint,
                             config=args.config,
                             build_args=dict(a.split("=", 1) for a in args.build_arg if "=" in a))
    print(render(result, args.format))
    return 1 if result.fails(args.fail_on) else 0


def register(sub) -> None:
    from helpers.lint.finding import SEVERITIES
    from helpers.lint.formatters import FORMATS

    parser = sub.add_parser("lint", help="find the seed's Dockerfile issues (and hadolint's), with line numbers")
    parser.add_argument("path", help="the Dockerfile, or a directory holding one named Dockerfile")
    parser.add_argument("--context", help="build context directory (default: the Dockerfile's directory)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--fail-on", choices=[*SEVERITIES, "never"], default="warning",
                        help="exit 1 when a finding is at or above this severity (default: warning)")
    parser.add_argument("--no-hadolint", action="store_true", help="run dockopt's rules only")
    parser.add_argument("--config", help="TOML file with [tool.dockopt.lint] or [lint] settings")
    parser.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE",
                        help="resolve ARGs in FROM as `docker build --build-arg` would")
    parser.set_defaults(func=run)
