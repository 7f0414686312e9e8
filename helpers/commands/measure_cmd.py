"""``dockopt measure``: time cold, no-op, code-change and dependency-change builds; store them."""

from __future__ import annotations

from pathlib import Path


def parse_build_args(pairs: list[str]) -> dict[str, str]:
    from helpers.errors import DockoptError

    args = {}
    for pair in pairs or []:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise DockoptError(f"--build-arg {pair!r} is not KEY=VALUE.")
        args[key] = value
    return args


def format_table(frame) -> str:
    rows = [("variant", "scenario", "median", "min-max", "repeats", "status")]
    for r in frame.itertuples():
        if r.status == "ok":
            reused = " (reused)" if r.reused_from == r.reused_from and r.reused_from else ""
            rows.append((r.variant, r.scenario, f"{r.median_s:.1f} s", f"{r.min_s:.1f}-{r.max_s:.1f} s",
                         str(int(r.repeats)), "ok" + reused))
        else:
            rows.append((r.variant, r.scenario, "-", "-", "-", f"{r.status}: {r.error or ''}"[:100]))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row[:5], widths)) + "  " + row[5] for row in rows)


def run(args) -> int:
    from helpers import sample
    from helpers.builds import timings

    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    common = dict(scenarios=scenarios, repeats=args.repeats, fresh=args.fresh, history=args.history)
    if args.context is None and args.dockerfile is None:
        names = [args.variant] if args.variant else [v.name for v in sample.VARIANTS]
        frames = [timings.measure_sample(n, build_args=parse_build_args(args.build_arg),
                                         **common) for n in names]
        import pandas as pd

        frame = pd.concat(frames, ignore_index=True)
    else:
        if args.context is None or args.dockerfile is None:
            from helpers.errors import DockoptError

            raise DockoptError("--context and --dockerfile go together (neither: the bundled sample).")
        dockerfile = Path(args.dockerfile)
        frame = timings.measure_variant(
            args.context, dockerfile, args.variant or dockerfile.name, build_args=parse_build_args(args.build_arg),
            code_file=args.code_file, dependency_file=args.dependency_file, **common)
    print(format_table(frame))
    return 0 if (frame["status"] != "failed").all() else 1


def register(sub) -> None:
    from helpers.paths import DEFAULT_HISTORY

    parser = sub.add_parser("measure", help="time cold / no-op / code-change / dependency-change builds")
    parser.add_argument("--context", help="build context directory (default: the bundled sample)")
    parser.add_argument("--dockerfile", help="Dockerfile to build (default: the sample's variants)")
    parser.add_argument("--variant", help="name to record (sample: which variant; default all)")
    parser.add_argument("--repeats", type=int, default=3, help="builds per scenario (median and range kept)")
    parser.add_argument("--scenarios", default="cold,noop,code,deps", help="comma list of cold,noop,code,deps")
    parser.add_argument("--fresh", action="store_true", help="measure again even if the history has it")
    parser.add_argument("--history", default=str(DEFAULT_HISTORY), help="SQLite history file")
    parser.add_argument("--build-arg", action="append", default=[], metavar="K=V", help="build argument")
    parser.add_argument("--code-file", help="context-relative file the code-change rebuild edits")
    parser.add_argument("--dependency-file", help="context-relative manifest the dependency-change rebuild edits")
    parser.set_defaults(func=run)
