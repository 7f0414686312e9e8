"""Whether the analysis's GPU test applies to an image, decided from what the image holds.

The test is ``torch.cuda.is_available()`` under ``--gpus all``: it means something only for an
image that ships torch. A web app with neither torch nor CUDA libraries is left out, with one
line saying why, instead of being "checked" and reported as if GPUs mattered to it.
"""

from __future__ import annotations

import re

TORCH = re.compile(r"^torch$", re.I)
CUDA = re.compile(r"^(nvidia-.*-cu\d+|cupy(-cuda.*)?|.*cuda.*|libcudnn.*|libnccl.*|nvidia-.*)$", re.I)


def gpu_packages(sbom: dict) -> tuple[list[str], list[str]]:
    """(torch components, CUDA components) named in a CycloneDX SBOM (``helpers.security.sbom``)."""
    names = [str(c.get("name", "")) for c in sbom.get("components", [])]
    return sorted({n for n in names if TORCH.match(n)}), sorted({n for n in names if CUDA.match(n)})


def why_not_applicable(sbom: dict, variant: str) -> str | None:
    """None when the GPU test applies to the image; otherwise the one line saying why it is left out."""
    torch, cuda = gpu_packages(sbom)
    if torch:
        return None
    counted = len(sbom.get("components", []))
    if cuda:
        return (f"left out: the {variant} image has CUDA libraries ({', '.join(cuda[:4])}) but no torch, "
                "and the analysis's GPU test is torch.cuda.is_available()")
    return (f"left out: the {variant} image has no torch and no CUDA libraries (none among its {counted} "
            "packages in the SBOM), so the analysis's GPU test does not apply to it")
