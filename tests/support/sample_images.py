"""Build the sample's variants under ``dockopt-test/`` tags (tests and bench share them)."""

from __future__ import annotations

from helpers import sample

TAG_PREFIX = "dockopt-test/snsw"


def tag_for(name: str) -> str:
    return f"{TAG_PREFIX}:{name}"


def build_variant(name: str):
    """Build (BuildKit reuses its cache) the named variant; return the BuildResult."""
    from helpers.engine import buildkit

    sample.ensure_weights()
    variant = sample.variant(name)
    return buildkit.build(sample.SAMPLE_CONTEXT, variant.dockerfile, tag_for(name),
                          build_args=sample.build_args(variant))


if __name__ == "__main__":
    import sys

    for variant_name in sys.argv[1:] or [v.name for v in sample.VARIANTS]:
        print(build_variant(variant_name).tag, flush=True)
