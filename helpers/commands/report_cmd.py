"""``dockopt report``: run the phase notebooks for a project and render the shareable HTML folder."""

from __future__ import annotations

import sys
from pathlib import Path


def params_from_args(args):
    from helpers.commands import run_options
    from helpers.errors import DockoptError
    from helpers.paths import DEFAULT_HISTORY, SAMPLE_CONTEXT, SAMPLE_DOCKERFILE
    from helpers.report.run import ReportParams

    sample = args.context is None and args.dockerfile is None
    context = Path(args.context or SAMPLE_CONTEXT).resolve()
    dockerfile = Path(args.dockerfile).resolve() if args.dockerfile else (
        SAMPLE_DOCKERFILE if sample else context / "Dockerfile")
    if not context.is_dir():
        raise DockoptError(f"Build context {context} is not a directory.", hint="pass --context DIR.")
    if not dockerfile.is_file():
        raise DockoptError(f"Dockerfile {dockerfile} does not exist.", hint="pass --dockerfile FILE.")
    params = ReportParams(
        context=str(context), dockerfile=str(dockerfile),
        name=args.name or ("snsw (sample)" if sample else context.name),
        repeats=args.repeats, fresh=args.fresh, base_image=args.base_image or "",
        history=str(Path(args.history).resolve() if args.history else DEFAULT_HISTORY),
        smoke_command=args.smoke or "", code_file=args.code_file or "",
        dependency_file=args.dependency_file or "", emulated_platforms=args.platforms,
        build_args=run_options.as_lines(args.build_arg, "--build-arg"),
        run_env=run_options.as_lines(args.run_env, "--run-env"),
        run_args=run_options.as_words(args.run_arg),
    )
    for number, path in ((1, args.phase1), (2, args.phase2), (3, args.phase3)):
        if path:
            setattr(params, f"phase{number}_dockerfile", str(Path(path).resolve()))
    return params


def run(args) -> int:
    from helpers.report.run import RenderInterrupted, render_report

    params = params_from_args(args)
    out = Path(args.out or f"reports/{'sample' if args.context is None else Path(params.context).name}")
    phases = args.phases.split(",") if args.phases else None
    warning = disk_check(params)
    if warning:
        print(warning, file=sys.stderr)
    try:
        if args.quiet or not sys.stderr.isatty():  # a log file or CI: papermill's cell counter only, or nothing
            result = render_report(params, out, phases=phases, progress=not args.quiet)
        else:
            result = render_live(params, out, phases)
    except RenderInterrupted as exc:  # one line, no traceback: what stopped and what was kept
        print(f"dockopt: {exc.message}", file=sys.stderr)
        return 130
    print(f"report: {result.index} ({result.seconds:.0f} s)")
    if result.split:
        from helpers.report.render_split import overhead

        seconds, share = overhead(result.split)
        print("  time: " + ", ".join(f"{k} {v:.0f} s" for k, v in result.split.items() if v >= 0.5)
              + f"; overhead {seconds:.0f} s ({100 * share:.0f}%)")
    failed = [item for item in result.executed if not item.ok]
    for item in failed:
        print(f"  {item.phase.stem} failed: {item.error} (see {item.notebook})")
    return 1 if failed else 0


def disk_check(params) -> str | None:
    """Warn before a run when the engine's free disk is below what this project needed last time."""
    from helpers.builds import build_cache
    from helpers.history import store
    from helpers.errors import EngineUnavailable

    files = [params.dockerfile] + [getattr(params, f"phase{n}_dockerfile") for n in (1, 2, 3)]
    try:
        free = build_cache.engine_free_bytes(None)  # None: the engine module connects
    except EngineUnavailable:
        return None  # the notebooks say so, with the hint to start one
    with store.open_history(params.history) as hist:
        return build_cache.disk_warning(free, build_cache.needed_bytes(hist, [f for f in files if f]))


def render_live(params, out: Path, phases):
    """Render with live build progress: the kernel writes build events to a file this process draws."""
    import os
    import tempfile

    from helpers.builds import live_progress
    from helpers.report.run import render_report

    with tempfile.TemporaryDirectory(prefix="dockopt-progress-") as tmp:
        events = Path(tmp) / "events.jsonl"
        os.environ[live_progress.ENV] = str(events)
        try:
            with live_progress.Follower(events) as follower:
                note = lambda text: follower.screen.handle({"t": "note", "text": text})  # noqa: E731
                return render_report(params, out, phases=phases, progress=False, log=note)
        finally:
            os.environ.pop(live_progress.ENV, None)


def register(sub) -> None:
    from helpers.commands import run_options

    parser = sub.add_parser("report", help="run the phase notebooks through papermill and render HTML")
    parser.add_argument("--context", help="build context directory (default: the bundled sample)")
    parser.add_argument("--dockerfile", help="Dockerfile (default: CONTEXT/Dockerfile)")
    parser.add_argument("--out", help="output folder (default: reports/<context name>, or reports/sample)")
    parser.add_argument("--name", help="project name shown in the report")
    parser.add_argument("--phases", help="comma-separated subset: baseline,phase1,phase2,phase3,summary")
    parser.add_argument("--repeats", type=int, default=3, help="timed builds per scenario (median, min-max)")
    parser.add_argument("--fresh", action="store_true", help="ignore cached measurements and rebuild")
    parser.add_argument("--base-image", help="base image to build on instead of dockopt's Debian-built one")
    parser.add_argument("--history", help="SQLite history file (default: reports/history.sqlite)")
    parser.add_argument("--smoke", help="command proving an image works, e.g. \"python -c 'import app'\"")
    parser.add_argument("--code-file", help="context file whose content the code-change rebuild edits")
    parser.add_argument("--dependency-file", help="manifest the dependency-change rebuild edits")
    parser.add_argument("--phase1", help="your phase-1 Dockerfile (default: derived by dockopt)")
    parser.add_argument("--phase2", help="your phase-2 Dockerfile (default: derived by dockopt)")
    parser.add_argument("--phase3", help="your phase-3 Dockerfile (default: derived by dockopt)")
    parser.add_argument("--platforms", action="store_true",
                        help="also build and start phase 3 for linux/arm64 under QEMU (about 10 min on a 2-core "
                             "host); without it arm64 is judged from the Dockerfile and an earlier build is reused")
    run_options.register(parser)
    parser.add_argument("--quiet", action="store_true", help="no per-cell progress bars")
    parser.set_defaults(func=run)
