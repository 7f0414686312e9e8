"""``dockopt``: the command line. Each subcommand is a thin call into the package."""

from __future__ import annotations

import argparse
import json
import sys

from helpers.errors import DockoptError


def cmd_engine(args) -> int:
    from helpers.engine import buildkit, connect, daemon

    if args.action == "up":
        print(daemon.ensure_engine())
    info = connect.describe(connect.client())
    client = buildkit.find_client()
    data = {**info.as_dict(), "buildkit_client": client.path, "buildkit_mode": client.mode,
            "client_version": client.version}
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key:16} {value}")
    return 0


def cmd_base(args) -> int:
    from helpers.engine import base_images

    for name, image in base_images.ensure_base_images().items():
        state = "built" if image.built else "reused"
        print(f"{name:8} {image.tag:40} {image.image_id[:19]}  recipe {image.recipe}  ({state})")
    return 0


def cmd_sample(args) -> int:
    from helpers import sample

    path = sample.ensure_weights()
    print(f"sample model weights: {path} ({path.stat().st_size} bytes)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dockopt", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    engine = sub.add_parser("engine", help="show the Docker engine and BuildKit client; `up` starts one")
    engine.add_argument("action", nargs="?", choices=["info", "up"], default="info")
    engine.add_argument("--json", action="store_true", help="print JSON")
    engine.set_defaults(func=cmd_engine)

    base = sub.add_parser("base", help="build (or reuse) the registry-free Debian/Python base images")
    base.set_defaults(func=cmd_base)

    sample = sub.add_parser("sample", help="generate the sample project's model-weights file")
    sample.set_defaults(func=cmd_sample)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DockoptError as exc:
        print(f"dockopt: error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  what to do: {exc.hint}", file=sys.stderr)
        if exc.evidence:
            print("  evidence:\n    " + exc.evidence.strip().replace("\n", "\n    "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dockopt: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
