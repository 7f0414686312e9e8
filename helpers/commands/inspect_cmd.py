"""``dockopt inspect IMAGE``: an image's sizes, layers by Dockerfile line, waste, build tools, user."""

from __future__ import annotations

import json


def human(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return str(n)


def print_text(report, runtime: dict | None) -> None:
    s = report.sizes
    print(f"image        {report.tag}  {report.image_id[:19]}")
    print(f"read from    {report.source}")
    print(f"size         {human(s.uncompressed_bytes)} uncompressed, {human(s.compressed_bytes)} compressed "
          f"(gzip -{s.gzip_level}), {s.layer_count} layers")
    print(f"reclaimable  {human(report.reclaimable_bytes)} ({human(report.hidden_bytes)} hidden by later layers)")
    for category, size in report.waste_by_category.items():
        if size:
            print(f"  {category:26} {human(size):>10}")
    tools = report.build_tools
    print(f"build tools  {'yes' if tools.present else 'none'}: {len(tools.binaries)} executables, "
          f"{tools.header_files} headers, {len(tools.packages)} build-only packages")
    print(f"user         {report.user or 'root (none configured)'} (uid {report.user_uid})")
    print(f"healthcheck  {'yes' if report.healthcheck else 'none'}")
    if report.unwanted_rows:
        print("unwanted")
        for row in report.unwanted_rows[:10]:
            print(f"  {row['kind']:14} {human(row['bytes']):>10}  {row['path']}{'' if row['visible'] else ' (deleted later)'}")
    print("layers")
    for row in report.layer_rows:
        line = f"L{row['line']}" if row["line"] is not None else row["stage"]
        print(f"  {row['layer']:>3} {human(row['size_bytes']):>10}  {line:>10}  {row['instruction'][:70]}")
    if runtime:
        print("runtime      " + json.dumps(runtime))


def run(args) -> int:
    from helpers.image.inspection import measure_archive, measure_image, runtime_checks

    compressed = not args.no_compressed
    if args.archive:
        report = measure_archive(args.image, args.dockerfile, compressed=compressed)
    else:
        report = measure_image(args.image, args.dockerfile, compressed=compressed, source=args.source)
    runtime = runtime_checks(args.image) if args.runtime and not args.archive else None
    if args.json:
        data = report.summary()
        if runtime:
            data["runtime"] = runtime
        print(json.dumps(data, indent=2, default=str))
    else:
        print_text(report, runtime)
    return 0


def register(sub) -> None:
    parser = sub.add_parser("inspect", help="measure an image: sizes, layers by line, waste, build tools, user")
    parser.add_argument("image", help="an image in the engine (name:tag or id), or a tarball with --archive")
    parser.add_argument("--archive", action="store_true",
                        help="IMAGE is a `docker save` tarball: analyse it without an engine")
    parser.add_argument("--dockerfile", help="the Dockerfile that built it, to attribute layers to lines")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--no-compressed", action="store_true",
                        help="skip the compressed (registry) size, which gzips every layer")
    parser.add_argument("--source", choices=("auto", "save"), default="auto",
                        help="where to read the layers: auto = the engine's overlay2 layer store when it is "
                        "local and readable (else docker save); save = always export with docker save")
    parser.add_argument("--runtime", action="store_true",
                        help="also start a container: actual uid, health status")
    parser.set_defaults(func=run)
