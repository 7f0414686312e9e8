"""Derive each phase's optimized Dockerfile from the original, one small transform per fix.

Callers (the ``optimize`` command, the notebooks) use :func:`derive_variants`; the transforms
are listed per phase in :mod:`helpers.variants.phases`.
"""

from helpers.variants.api import VariantResult, derive_variants, generate
from helpers.variants.phases import PHASES, unified_diff

__all__ = ["PHASES", "VariantResult", "derive_variants", "generate", "unified_diff"]
