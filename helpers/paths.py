"""Where things are in a dockopt checkout (the sample, notebooks, reports)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILES = ROOT / "dockerfiles"
SAMPLE_CONTEXT = DOCKERFILES / "snsw"
SAMPLE_DOCKERFILE = SAMPLE_CONTEXT / "Dockerfile"
REFERENCE_VARIANTS = DOCKERFILES / "reference"
SEED_DOCKERFILE = DOCKERFILES / "seed-original" / "Dockerfile"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
DEFAULT_HISTORY = REPORTS / "history.sqlite"
