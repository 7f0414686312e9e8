"""``dockopt fleet FILE.yaml``: every project's report on a pool of engines, and one fleet index."""

from __future__ import annotations

from pathlib import Path


def run(args) -> int:
    from helpers.fleet import config as fleet_config
    from helpers.fleet.engines import parse_engines
    from helpers.fleet.run import lint_fleet, render_fleet

    fleet = fleet_config.load(args.file)
    out = Path(args.out or Path("reports") / f"fleet-{fleet.path.stem}").resolve()
    if args.lint_only:
        page = lint_fleet(fleet, out)
        print(f"fleet index: {page}")
        return 0
    page, data = render_fleet(fleet, parse_engines(args.engines), out, repeats=args.repeats, fresh=args.fresh,
                              history_root=Path(args.history).resolve() if args.history else None)
    print(f"fleet index: {page}")
    failed = [p for p in data["projects"] if p["outcome"] != "ok"]
    for project in failed:
        print(f"  {project['name']}: {project['outcome']}: {project['message']}")
    return 1 if failed else 0


def register(sub) -> None:
    parser = sub.add_parser("fleet", help="render many projects' reports on a pool of engines, with a fleet index")
    parser.add_argument("file", help="fleet file (YAML): projects with context, dockerfile, smoke and run options")
    parser.add_argument("--engines", action="append", metavar="ENGINE[,ENGINE...]",
                        help="docker contexts or DOCKER_HOST URLs (unix://, tcp:// with DOCKER_CERT_PATH for TLS, "
                        "ssh://); each builds one project at a time (default: the engine dockopt uses now)")
    parser.add_argument("--out", help="output folder (default: reports/fleet-<file name>)")
    parser.add_argument("--lint-only", action="store_true",
                        help="static analysis alone: no engine, nothing built (seconds for hundreds of projects)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed builds per scenario for every project (default: the file's, else 3)")
    parser.add_argument("--fresh", action="store_true", help="ignore cached measurements and rebuild")
    parser.add_argument("--history", help="folder of per-engine history files (default: the file's, else OUT/history)")
    parser.set_defaults(func=run)
