"""``dockopt platforms``: build a Dockerfile for linux/amd64 and linux/arm64 and smoke-test each."""

from __future__ import annotations

from pathlib import Path


def table(results) -> str:
    """One line per platform: what a reader needs to trust or doubt the multi-platform claim."""
    rows = [("platform", "arch", "how", "build s", "size MB", "smoke", "smoke s", "status")]
    for r in results:
        rows.append((
            r.platform, r.arch or "-", "-" if r.skipped else ("emulated" if r.emulated else "native"),
            f"{r.seconds:.1f}" if r.seconds is not None else "-",
            f"{r.size_bytes / 1e6:.0f}" if r.size_bytes else "-",
            {True: "passed", False: "FAILED", None: "-"}[r.smoke_passed],
            f"{r.smoke_seconds:.1f}" if r.smoke_seconds is not None else "-",
            r.summary(),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[-1] for row in rows)


def run(args) -> int:
    from helpers import sample
    from helpers.engine import multiplatform

    dockerfile = Path(args.dockerfile).resolve()
    known = next((v for v in sample.VARIANTS if v.dockerfile.resolve() == dockerfile), None)
    if known:
        sample.ensure_weights()
    results = multiplatform.build_platforms(
        Path(args.context), dockerfile,
        platforms=[p.strip() for p in args.platforms.split(",") if p.strip()],
        repo=args.repo, name=known.name if known else dockerfile.name.lower().replace("dockerfile.", "") or "image",
        build_args=(lambda arch: sample.build_args(known, arch)) if known else None,
        smoke_command=args.smoke.split() if args.smoke else (sample.SMOKE_COMMAND if known else None),
        smoke_expect=args.expect if args.smoke else (sample.SMOKE_EXPECT if known else ""),
        setup=not args.no_setup,
    )
    print(table(results))
    for r in results:
        if r.error:
            print(f"\n{r.platform}: {r.error}")
    return 0 if all(r.ok or r.skipped for r in results) else 1


def register(sub) -> None:
    from helpers import sample
    from helpers.paths import SAMPLE_CONTEXT

    parser = sub.add_parser("platforms", help="build for linux/amd64 and linux/arm64 (arm64 under QEMU) "
                            "and smoke-test each image, or say why a platform is skipped")
    parser.add_argument("--context", default=str(SAMPLE_CONTEXT), help="build context (default: the sample)")
    parser.add_argument("--dockerfile", default=str(sample.variant("phase3").dockerfile),
                        help="Dockerfile (default: the sample's phase-3 reference)")
    parser.add_argument("--platforms", default="linux/amd64,linux/arm64", help="comma-separated platforms")
    parser.add_argument("--repo", default="dockopt-platform/build", help="images are tagged REPO:NAME-<arch>")
    parser.add_argument("--smoke", help="smoke command, split on spaces (default for the sample: its inference smoke)")
    parser.add_argument("--expect", default="", help="text the smoke command must print")
    parser.add_argument("--no-setup", action="store_true",
                        help="only detect emulation and bases; never mount, install or build them")
    parser.set_defaults(func=run)
