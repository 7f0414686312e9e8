"""``dockopt lint PATH...``: findings for Dockerfiles; the exit code tells CI whether to fail.

One Dockerfile (a file, or a folder holding just one) prints what it always has. Several (folders
are searched, see ``helpers.lint.discover``) print one document / one SARIF run for all of them,
or each file's findings and a per-file table.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 dockopt could not
lint (unreadable Dockerfile, missing context, bad config), printed by ``cli.report_error``; with
several files, 2 when any of them could not be linted (the others are still reported).
"""

from __future__ import annotations

from pathlib import Path


def _one(path, context, args, build_args) -> int:
    from helpers.lint.engine import lint_dockerfile
    from helpers.lint.formatters import render

    result = lint_dockerfile(path, context=context, hadolint=not args.no_hadolint, config=args.config,
                             build_args=build_args)
    print(render(result, args.format))
    return 1 if result.fails(args.fail_on) else 0


def run(args) -> int:
    from helpers.lint.batch import lint_targets
    from helpers.lint.discover import DiscoveryError, discover
    from helpers.lint.formatters import render

    if not args.no_hadolint:
        from helpers.lint import hadolint

        binary = hadolint.find_binary()
        if binary is not None:
            hadolint.probe_in_background(binary)
    build_args = dict(a.split("=", 1) for a in args.build_arg if "=" in a)
    paths = args.path or ["."]
    if len(paths) == 1 and args.context and (Path(paths[0]) / "Dockerfile").is_file():  # `lint DIR --context C`
        paths = [str(Path(paths[0]) / "Dockerfile")]
    if len(paths) == 1 and not Path(paths[0]).is_dir():  # one named file: exactly the one-file lint
        context = args.context
        if context is None and Path(paths[0]).is_file():
            context = discover(paths).targets[0].context
        return _one(paths[0], context, args, build_args)
    found = discover(paths)
    if not found.targets:
        raise DiscoveryError(f"no Dockerfile found under {', '.join(paths)}",
                             hint="looked for Dockerfile, Dockerfile.*, *.Dockerfile and Containerfile "
                                  f"(.gitignore {found.gitignore})")
    if args.context and len(found.targets) > 1:
        raise DiscoveryError(f"--context applies to one Dockerfile; {len(found.targets)} were found",
                             hint="map each Dockerfile to its context in .dockopt.toml ([[lint.files]], see README)")
    if len(found.targets) == 1:  # `dockopt lint DIR` with one Dockerfile in it: the one-file output
        return _one(found.targets[0].dockerfile, args.context or found.targets[0].context, args, build_args)
    batch = lint_targets(found.targets, hadolint=not args.no_hadolint, config=args.config, build_args=build_args,
                         jobs=args.jobs, cache=not args.no_cache)
    batch.discovery = found
    if args.format == "table" and args.summary:
        from helpers.lint.formatters.table import to_batch_table

        print(to_batch_table(batch, findings=False))
    else:
        print(render(batch, args.format))
    if batch.errors:
        return 2
    return 1 if batch.fails(args.fail_on) else 0


def register(sub) -> None:
    from helpers.lint.finding import SEVERITIES
    from helpers.lint.formatters import FORMATS

    parser = sub.add_parser("lint", help="find the seed's Dockerfile issues (and hadolint's), with line numbers")
    parser.add_argument("path", nargs="*",
                        help="Dockerfiles, or folders to search for Dockerfile, Dockerfile.*, *.Dockerfile and "
                             "Containerfile (.gitignore honoured; default: the current folder)")
    parser.add_argument("--context", help="build context directory, for one Dockerfile (default: the Dockerfile's "
                                           "directory, or what .dockopt.toml maps it to)")
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    parser.add_argument("--fail-on", choices=[*SEVERITIES, "never"], default="warning",
                        help="exit 1 when a finding is at or above this severity (default: warning)")
    parser.add_argument("--no-hadolint", action="store_true", help="run dockopt's rules only")
    parser.add_argument("--config", help="TOML file with [tool.dockopt.lint] or [lint] settings")
    parser.add_argument("--build-arg", action="append", default=[], metavar="NAME=VALUE",
                        help="resolve ARGs in FROM as `docker build --build-arg` would")
    parser.add_argument("--summary", action="store_true",
                        help="with several Dockerfiles and --format table: only the per-file table")
    parser.add_argument("--jobs", type=int, default=None,
                        help="hadolint processes in parallel (default: one per core)")
    parser.add_argument("--no-cache", action="store_true",
                        help="with several Dockerfiles: run hadolint on every file, neither reading nor writing "
                             "its cache of findings by file content (see helpers.lint.hadolint_cache)")
    parser.set_defaults(func=run)
