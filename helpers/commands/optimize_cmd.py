"""``dockopt optimize``: write phase 1-3 Dockerfiles derived from the original, built and smoke-tested."""

from __future__ import annotations

from pathlib import Path


def human(size: int | None) -> str:
    return f"{size / 1e6:.0f} MB" if size else "-"


def run(args) -> int:
    from helpers.commands.run_options import pairs
    from helpers.variants import derive_variants

    context = Path(args.context)
    dockerfile = Path(args.dockerfile) if args.dockerfile else context / "Dockerfile"
    build_args = pairs(args.build_arg, "--build-arg")
    results = derive_variants(context, dockerfile, args.out, smoke=args.smoke, build=not args.no_build,
                              expect=args.expect, healthcheck=args.healthcheck, code_file=args.code_file,
                              build_args=build_args, rebuild=bool(args.code_file), tag_prefix=args.tag_prefix,
                              run_env=pairs(args.run_env, "--run-env"), run_args=list(args.run_arg),
                              settle_s=args.settle,
                              log=(lambda msg: print(f"  {msg}")) if not args.quiet else (lambda msg: None))
    failed = False
    for result in results:
        measured = (f"  {human(result.size_bytes)}, {result.layers} layers"
                    + (f", code-change rebuild {result.rebuild_seconds:.1f}s" if result.rebuild_seconds else "")
                    + ("" if result.smoke_ok is None else ", smoke ok" if result.smoke_ok else ", smoke FAILED")
                    if result.size_bytes else "")
        print(f"{result.name}: {result.dockerfile}{measured}")
        if result.ships is not None:
            print(f"  {result.ships_line()}")
            print(f"    started with: {result.ships.command}")
        for outcome in result.outcomes:
            print(f"  {'applied' if outcome.applied else 'skipped'}  {outcome.line()}")
        if result.error:
            failed = True
            print("  ERROR: " + result.error.replace("\n", "\n    "))
    original = results[0].ships
    if original is not None and not original.ok:
        failed = True
        print(f"\nThe original does not start here ({original.state}): {original.how}\n"
              f"  started with: {original.command}\n  last log lines:\n    "
              + original.log_tail.replace("\n", "\n    ")
              + "\nSo no variant could be judged against it. If the app needs configuration to start, pass it "
                "with --run-env KEY=VALUE and --run-arg ARG.")
    broken = [r.name for r in results if r.broken]
    if broken:
        print(f"\nBROKEN: {', '.join(broken)} start(s) no longer where the original does; their files are written "
              f"with a .broken suffix, never under the name of a good variant.")
    return 1 if failed else 0


def register(sub) -> None:
    from helpers.commands import run_options
    from helpers.variants.api import TAG_PREFIX

    parser = sub.add_parser("optimize", help="derive phase 1-3 Dockerfiles from the original, build and check them")
    parser.add_argument("--context", required=True, help="build context directory (never modified)")
    parser.add_argument("--dockerfile", help="the original Dockerfile (default: CONTEXT/Dockerfile)")
    parser.add_argument("--out", required=True, help="directory for Dockerfile.phaseN, ignore files, constraints")
    parser.add_argument("--smoke", help="command run in every built image, e.g. 'python app.py --check'")
    parser.add_argument("--expect", help="text the smoke command's output must contain")
    parser.add_argument("--healthcheck", help="the app's health command (else inferred, with the reason shown)")
    parser.add_argument("--code-file", help="context file whose content is changed to time a code-change rebuild")
    run_options.register(parser)
    parser.add_argument("--settle", type=float, default=None, metavar="SECONDS",
                        help="how long an image with no HEALTHCHECK and no EXPOSEd port must keep running (default 5)")
    parser.add_argument("--no-build", action="store_true", help="write the files only (no engine: no digests, no pins)")
    parser.add_argument("--tag-prefix", default=TAG_PREFIX,
                        help=f"built images are tagged PREFIX/<context name>-<path hash>:<variant> (default: {TAG_PREFIX})")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(func=run)
