"""The variant for linux/amd64 and linux/arm64: built and started on each, or judged from its Dockerfile."""

from __future__ import annotations

import pandas as pd

from helpers import sample
from helpers.builds.context_digest import context_digest, file_digest
from helpers.dockerfile import platform_readiness
from helpers.engine import images
from helpers.history import analysis_cache, store
from helpers.project import Project
from helpers.study.measured import MB


def platforms(project: Project, variant: str = "phase3", fresh: bool = False, build: bool = False) -> pd.DataFrame:
    """The variant for linux/amd64 and linux/arm64: built and started on each, or judged statically.

    ``build`` runs the emulated arm64 build (about ten minutes here under QEMU); by default a
    result measured earlier is shown, else arm64 is judged from the Dockerfile's text
    (``helpers.dockerfile.platform_readiness``) with the command that builds it for real. Cached by the
    Dockerfile and context digests: a re-render does not rebuild or re-run.
    """
    from helpers.engine import multiplatform  # ~30 ms to import, for the phase-3 page only

    path = project.dockerfile_for(variant)
    if path is None:
        return pd.DataFrame([{"platform": "all", "status": f"skipped: no {variant} Dockerfile"}])
    reference = project.is_sample and project.variant_source.get(variant) == "reference"

    def args_for(arch: str) -> dict[str, str]:
        return sample.build_args(sample.variant(variant), arch) if reference else project.build_args(variant)

    def run():
        return multiplatform.build_platforms(
            project.context_for(variant), path, repo=project.repo, name=variant, build_args=args_for,
            smoke_command=project.smoke, smoke_expect=project.smoke_expect or "", log=lambda msg: None)

    key = f"{file_digest(path)}:{context_digest(project.context_for(variant), path)}"
    extra = " ".join(project.smoke or [])
    if build:
        results = analysis_cache.cached(project.history, "platforms", key, run, fresh=fresh, extra=extra)
    else:
        results = None if fresh else analysis_cache.lookup(project.history, "platforms", key, extra)
        if results is None:
            return static_platforms(project, variant, path, args_for("amd64"))
    return pd.DataFrame([{"platform": r.platform, "architecture": r.arch or "-",
                          "how": "-" if r.skipped else ("emulated (QEMU)" if r.emulated else "native"),
                          "build (s)": None if r.seconds is None else round(r.seconds, 1),
                          "size (MB)": round(r.size_bytes / MB) if r.size_bytes else None,
                          "smoke": {True: "passed", False: "FAILED", None: "-"}[r.smoke_passed],
                          "status": r.summary()} for r in results])


def static_platforms(project: Project, variant: str, path, build_args: dict[str, str]) -> pd.DataFrame:
    """No emulated build asked for and none measured before: amd64 is the image measured on this
    page; arm64 is judged from the Dockerfile, with the command that builds it and its cost here."""
    readiness = platform_readiness.judge_arm64(path, build_args, exists=images.exists)
    with store.open_history(project.history) as hist:
        took = hist.analysis_seconds("platforms")
    cost = (f"the last emulated build in this history took {took / 60:.0f} min" if took and took >= 90 else
            f"the last emulated build in this history took {took:.0f} s" if took else
            "not yet run on this machine; the sample's arm64 build took about 10 min on a 2-core host")
    return pd.DataFrame([
        {"platform": "linux/amd64", "architecture": "amd64", "how": "native",
         "status": f"ok: the {variant} image built and started on this page"},
        {"platform": "linux/arm64", "architecture": "-", "how": "static check (not built)",
         "status": f"not built: {readiness.summary()}. {platform_readiness.NOTE} ({cost})"},
    ])
