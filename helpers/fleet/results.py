"""One project's numbers, read back from what ``dockopt report`` left: its history file and summary.json.

Nothing is measured here. The report measured each variant under the tag
``dockopt-report/<slug>:<variant>`` (helpers.project) and cached its image analysis (size,
compressed size) and security scan by image id (helpers.history.analysis_cache); the code-change rebuild
is a scenario row. The newest row of each kind for this project is what its pages show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helpers.history import store
from helpers.project import Project

MB = 1_000_000
VARIANTS = ("original", "phase1", "phase2", "phase3")


@dataclass
class VariantNumbers:
    variant: str
    image_id: str | None = None
    size_bytes: int | None = None
    compressed_bytes: int | None = None
    code_rebuild_s: float | None = None
    cold_build_s: float | None = None
    high_critical: int | None = None  # security findings at high or critical
    security_score: int | None = None
    engine_version: str | None = None  # of the run whose build produced these timings
    cpus: int | None = None
    reused: bool = False  # timings read from an earlier run on the same engine


@dataclass
class ProjectNumbers:
    variants: dict[str, VariantNumbers] = field(default_factory=dict)
    optimized: str | None = None  # the variant compared with the original (the last phase that built)

    def pair(self):
        return self.variants.get("original"), self.variants.get(self.optimized) if self.optimized else None

    def saving(self, attr: str) -> float | None:
        before, after = self.pair()
        a, b = getattr(before, attr, None), getattr(after, attr, None)
        return None if a is None or b is None else a - b

    def as_dict(self) -> dict:
        return {"optimized": self.optimized, "variants": {k: v.__dict__ for k, v in self.variants.items()},
                "saved_bytes": self.saving("size_bytes"), "saved_compressed_bytes": self.saving("compressed_bytes"),
                "saved_code_rebuild_s": self.saving("code_rebuild_s"),
                "fewer_high_critical": self.saving("high_critical"),
                "security_score_gain": -s if (s := self.saving("security_score")) is not None else None}


def report_tag(name: str, context: Path | str, variant: str) -> str:
    """The tag ``dockopt report --name NAME --context CONTEXT`` gives a variant (helpers.project.Project.tag)."""
    return Project.tag(_Named(name, Path(context)), variant)


class _Named:
    """Just enough of a Project for its ``slug``, ``repo`` and ``tag`` (one definition of each)."""

    def __init__(self, name: str, context: Path) -> None:
        self.name = name
        self.context = context

    slug = Project.slug
    repo = Project.repo


def read_numbers(history: Path, name: str, context: Path | str) -> ProjectNumbers:
    """The numbers a report named ``name`` of ``context`` stored in ``history`` (empty when it measured nothing)."""
    numbers = ProjectNumbers()
    if not Path(history).is_file():
        return numbers
    with store.ReadOnlyHistory(history) as hist:
        for variant in VARIANTS:
            row = hist.newest_built_variant(report_tag(name, context, variant))
            if not row:
                continue
            variant_id, image_id, engine_version, cpus = row
            found = VariantNumbers(variant, image_id, engine_version=engine_version, cpus=cpus)
            for scenario, attr in (("code", "code_rebuild_s"), ("cold", "cold_build_s")):
                srow = hist.scenario_timing(variant_id, scenario)
                if srow:
                    setattr(found, attr, srow[0])
                    if srow[1] is not None:  # reused: the engine of the run that measured it
                        found.reused = True
                        found.engine_version, found.cpus = srow[2] or found.engine_version, srow[3] or found.cpus
            image = hist.newest_analysis("image", image_id)
            if image is not None:
                found.size_bytes = image.sizes.uncompressed_bytes
                found.compressed_bytes = image.sizes.compressed_bytes
            security = hist.newest_analysis("security", image_id)
            if security is not None:
                counts = security.counts()
                found.high_critical = counts.get("high", 0) + counts.get("critical", 0)
                found.security_score = security.score
            numbers.variants[variant] = found
    built = [v for v in VARIANTS[1:] if v in numbers.variants and numbers.variants[v].size_bytes is not None]
    numbers.optimized = built[-1] if built else None
    return numbers
