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


DIGEST_BASES = (("BUILD_BASE", "dockopt/python:3.11-bookworm"),
                ("RUNTIME_BASE", "dockopt/python:3.11-bookworm-minimal"))


def build_args(v: Variant) -> dict[str, str]:
    """The build args a variant needs: phase 3 pins its bases by digest, resolved from the engine.

    Resolving publishes the local bases to the loopback registry once (``registry.pin``), which
    is why this is a function called at build time and not a constant.
    """
    if not v.needs_digests:
        return {}
    from helpers.engine import registry

    args = {}
    for key, tag in DIGEST_BASES:
        repo, digest = registry.split_pin(registry.pin(tag))
        args[key] = repo
        args[key + "_DIGEST"] = digest
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
