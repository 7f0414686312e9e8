"""``dockopt base``: build (or reuse) the registry-free Debian/Python base images."""

from __future__ import annotations


def run(args) -> int:
    from helpers.engine import base_images, emulation

    if args.platform:
        arch = base_images.arch_of(args.platform)
        status = emulation.ensure(arch)
        if not status.available:
            print(f"{args.platform}: skipped: {status.reason}")
            return 1
    for name, image in base_images.ensure_base_images(platform=args.platform).items():
        state = "built" if image.built else "reused"
        print(f"{name:8} {image.tag:46} {image.image_id[:19]}  recipe {image.recipe}  ({state})")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("base", help="build (or reuse) the registry-free Debian/Python base images")
    parser.add_argument("--platform", help="e.g. linux/arm64 (built under QEMU emulation, tagged with -arm64); "
                        "default: this host's own platform")
    parser.set_defaults(func=run)
