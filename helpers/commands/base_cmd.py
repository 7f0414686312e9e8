"""``dockopt base``: build (or reuse) the registry-free Debian/Python base images."""

from __future__ import annotations


def run(args) -> int:
    from helpers.engine import base_images

    for name, image in base_images.ensure_base_images().items():
        state = "built" if image.built else "reused"
        print(f"{name:8} {image.tag:40} {image.image_id[:19]}  recipe {image.recipe}  ({state})")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("base", help="build (or reuse) the registry-free Debian/Python base images")
    parser.set_defaults(func=run)
