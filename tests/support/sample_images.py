"""Build the sample's variants under ``dockopt-measure/`` tags, once per session.

Kept in one place (tests and bench both import it) until helpers.sample grows its own
``build_args(variant)``; phase 3 pins its bases by digest, which only the engine can resolve.
"""

from __future__ import annotations

from helpers import sample

TAG_PREFIX = "dockopt-measure/snsw"
DIGEST_ARGS = (("BUILD_BASE", "dockopt/python:3.11-bookworm"),
               ("RUNTIME_BASE", "dockopt/python:3.11-bookworm-minimal"))


def tag_for(name: str) -> str:
    return f"{TAG_PREFIX}:{name}"


def build_args(variant: sample.Variant) -> dict[str, str]:
    from helpers.engine import registry

    args: dict[str, str] = {}
    if variant.needs_digests:
        for key, tag in DIGEST_ARGS:
            repo, digest = registry.split_pin(registry.pin(tag))
            args[key], args[key + "_DIGEST"] = repo, digest
    return args


def build_variant(name: str) -> str:
    """Build (BuildKit reuses its cache) the named variant; return its tag."""
    from helpers.engine import buildkit

    sample.ensure_weights()
    variant = sample.variant(name)
    tag = tag_for(name)
    buildkit.build(sample.SAMPLE_CONTEXT, variant.dockerfile, tag, build_args=build_args(variant))
    return tag


if __name__ == "__main__":
    import sys

    for variant_name in sys.argv[1:] or [v.name for v in sample.VARIANTS]:
        print(build_variant(variant_name), flush=True)
