"""``dockopt optimize``: write phase 1-3 Dockerfiles derived from the original, built and smoke-tested."""

from __future__ import annotations

from pathlib import Path


def human(size: int | None) -> str:
    return f"{size / 1e6:.0f} MB" if size else "-"


def run(args) -> int:
    from helpers.variants import derive_variants

    context = Path(args.context)
    dockerfile = Path(args.dockerfile) if args.dockerfile else context / "Dockerfile"
    build_args = dict(item.split("=", 1) for item in args.build_arg)
    results = derive_variants(context, dockerfile, args.out, smoke=args.smoke, build=not args.no_build,
                              expect=args.expect, healthcheck=args.healthcheck, code_file=args.code_file,
                              build_args=build_args, rebuild=bool(args.code_file), tag_prefix=args.tag_prefix,
                              log=(lambda msg: print(f"  {msg}")) if not args.quiet else (lambda msg: None))
    failed = False
    for result in results:
        measured = (f"  {human(result.size_bytes)}, {result.layers} layers"
                    + (f", code-change rebuild {result.rebuild_seconds:.1f}s" if result.rebuild_seconds else "")
                    + ("" if result.smoke_ok is None else ", smoke ok" if result.smoke_ok else ", smoke FAILED")
                    if result.size_bytes else "")
        print(f"{result.name}: {result.dockerfile}{measured}")
        for outcome in result.outcomes:
            print(f"  {'applied' if outcome.applied else 'skipped'}  {outcome.line()}")
        if result.error:
            failed = True
            print("  ERROR: " + result.error.replace("\n", "\n    "))
    return 1 if failed else 0


def register(sub) -> None:
    from helpers.variants.api import TAG_PREFIX

    parser = sub.add_parser("optimize", help="derive phase 1-3 Dockerfiles from the original, build and check them")
    parser.add_argument("--context", required=True, help="build context directory (never modified)")
    parser.add_argument("--dockerfile", help="the original Dockerfile (default: CONTEXT/Dockerfile)")
    parser.add_argument("--out", required=True, help="directory for Dockerfile.phaseN, ignore files, constraints")
    parser.add_argument("--smoke", help="command run in every built image, e.g. 'python app.py --check'")
    parser.add_argument("--expect", help="text the smoke command's output must contain")
    parser.add_argument("--healthcheck", help="the app's health command (else inferred, with the reason shown)")
    parser.add_argument("--code-file", help="context file whose content is changed to time a code-change rebuild")
    parser.add_argument("--build-arg", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-build", action="store_true", help="write the files only (no engine: no digests, no pins)")
    parser.add_argument("--tag-prefix", default=TAG_PREFIX,
                        help=f"built images are tagged PREFIX/<context name>:<variant> (default: {TAG_PREFIX})")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(func=run)
