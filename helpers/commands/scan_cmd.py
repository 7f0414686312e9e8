"""``dockopt scan IMAGE``: what an attacker could use in an image, its score, and an SBOM.

IMAGE is an engine image, or a ``docker save`` tarball (``*.tar``), which needs no engine (and
then no container is run, so the actual uid is reported as not measured).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _table(report) -> str:
    lines = [f"{report.image}: score {report.score}/100, grade {report.grade}",
             "counts: " + ", ".join(f"{k} {v}" for k, v in report.counts().items())]
    for f in sorted(report.finding_list, key=lambda f: ("critical", "high", "medium", "low", "info").index(f.severity)):
        where = " ".join(x for x in (f"layer {f.layer}" if f.layer is not None else "",
                                     f"line {f.line}" if f.line else "") if x)
        lines.append(f"  {f.severity:8} {f.rule}  {f.message}" + (f"  [{where}]" if where else ""))
    for row in report.scanners.to_dict(orient="records"):
        count = row["vulnerabilities"]
        found = f": {count} found" if row["status"] == "scanned" and count is not None and count == count else ""
        lines.append(f"scanner {row['name']}: {row['status']}{found} ({row['reason']})")
    for check, why in report.not_run.items():
        lines.append(f"not run: {check}: {why}")
    return "\n".join(lines)


def run(args) -> int:
    from helpers.security import export
    from helpers.security.scan import scan_archive, scan_image

    from helpers.security import debian_security

    secrets = tuple(Path(p).read_text().strip() for p in args.secret_file)
    index = None if args.no_index else debian_security.fetch_index
    build_args = dict(a.split("=", 1) for a in args.build_arg)
    if args.image.endswith(".tar") and Path(args.image).is_file():
        report = scan_archive(args.image, dockerfile=args.dockerfile, secrets=secrets, build_args=build_args,
                              index=index)
    else:
        report = scan_image(args.image, dockerfile=args.dockerfile, secrets=secrets, build_args=build_args,
                            run_container=not args.no_run, index=index)
    if args.sbom:
        Path(args.sbom).write_text(json.dumps(report.sbom, indent=2) + "\n")
    if args.format == "json":
        print(export.to_json(report))
    elif args.format == "sarif":
        print(json.dumps(export.to_sarif(report, args.dockerfile), indent=2))
    else:
        print(_table(report))
    if args.fail_under is not None and report.score < args.fail_under:
        print(f"dockopt: score={report.score} < fail_under={args.fail_under}", file=sys.stderr)
        return 1
    return 0


def register(sub) -> None:
    parser = sub.add_parser("scan", help="security findings, score and SBOM of an image (no registry needed)")
    parser.add_argument("image", help="engine image (tag or id), or a `docker save` tarball ending in .tar")
    parser.add_argument("--dockerfile", help="the Dockerfile that built it (base-image pins, line numbers)")
    parser.add_argument("--format", choices=["table", "json", "sarif"], default="table")
    parser.add_argument("--sbom", metavar="FILE", help="write a CycloneDX 1.5 JSON SBOM here")
    parser.add_argument("--secret-file", action="append", default=[], metavar="FILE",
                        help="a build secret's value (file content) to prove absent from every layer; repeatable")
    parser.add_argument("--build-arg", action="append", default=[], metavar="K=V",
                        help="build args the image was built with (resolves FROM ${BASE}@${DIGEST})")
    parser.add_argument("--no-run", action="store_true", help="do not start a container to measure the actual uid")
    parser.add_argument("--no-index", action="store_true",
                        help="do not fetch Debian's security index (OS packages reported as not scanned)")
    parser.add_argument("--fail-under", type=int, metavar="POINTS", help="exit 1 when the score is below this")
    parser.set_defaults(func=run)
