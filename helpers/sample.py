"""The bundled sample project ("snsw"): its generated weights and how its variants are built.

The model-weights file is generated, never committed: deterministic bytes (so the context
digest, and with it the measurement cache key, is stable across machines), incompressible
like real float weights.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import REFERENCE_VARIANTS, SAMPLE_CONTEXT, SAMPLE_DOCKERFILE

WEIGHTS = SAMPLE_CONTEXT / "models" / "snsw-weights.safetensors"
WEIGHTS_BYTES = 64 * 1024 * 1024
SMOKE_COMMAND = ["python", "src/kaggle/run_inference.py", "--smoke"]
SMOKE_EXPECT = "ok checksum="
CODE_FILE = "src/kaggle/run_inference.py"  # what a code-change rebuild edits
DEPENDENCY_FILE = "pyproject.toml"  # what a dependency-change rebuild edits


@dataclass(frozen=True)
class Variant:
    name: str
    dockerfile: Path
    needs_digests: bool = False  # phase 3 pins its bases by digest, passed as build args


VARIANTS = (
    Variant("original", SAMPLE_DOCKERFILE),
    Variant("phase1", REFERENCE_VARIANTS / "Dockerfile.phase1"),
    Variant("phase2", REFERENCE_VARIANTS / "Dockerfile.phase2"),
    Variant("phase3", REFERENCE_VARIANTS / "Dockerfile.phase3", needs_digests=True),
)


def build_args(v: Variant, arch: str | None = None) -> dict[str, str]:
    """Build args a variant needs: phase 3 takes its bases' digests, resolved from the engine.

    Args:
        v: the variant.
        arch: the architecture to build for (``arm64``); None for the host's own. Each
            architecture has its own base images (one platform per tag on this engine), so
            the digests, and for the unpinned variants the base tag, differ per architecture.
    """
    from helpers.engine import base_images

    tags = base_images.tags_for(arch)
    if not v.needs_digests:
        return {} if tags.native else {"BASE_IMAGE": tags.python}
    from helpers.engine import registry

    args = {}
    for key, tag in (("BUILD_BASE", tags.python), ("RUNTIME_BASE", tags.minimal)):
        repo, digest = registry.split_pin(registry.pin(tag))
        args[key], args[f"{key}_DIGEST"] = repo, digest
    return args


def variant(name: str) -> Variant:
    for v in VARIANTS:
        if v.name == name:
            return v
    raise KeyError(f"no sample variant {name!r}; known: {', '.join(v.name for v in VARIANTS)}")


def weight_bytes(size: int = WEIGHTS_BYTES, chunk: int = 1 << 20):
    """Deterministic pseudo-random bytes: SHA-256 in counter mode."""
    block = 0
    produced = 0
    while produced < size:
        parts = []
        for _ in range(chunk // 32):
            parts.append(hashlib.sha256(b"snsw-weights" + block.to_bytes(8, "little")).digest())
            block += 1
        data = b"".join(parts)[: size - produced]
        produced += len(data)
        yield data


def ensure_weights(path: Path = WEIGHTS, size: int = WEIGHTS_BYTES) -> Path:
    if path.exists() and path.stat().st_size == size:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    with open(tmp, "wb") as fh:
        for data in weight_bytes(size):
            fh.write(data)
    tmp.replace(path)
    return path
