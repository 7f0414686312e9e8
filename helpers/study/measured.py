"""Build and measure variants (timed scenarios, image analysis, runtime checks) and the tables over them.

Builds and measurements go through the measurement cache (``helpers.builds.timings``) and image
analyses through ``helpers.history.analysis_cache``, so a re-render with nothing changed reads the
history file instead of building or re-reading layers.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from helpers.builds import build_cache, timings
from helpers.builds.scenarios import dockerfile_digest
from helpers.engine import buildkit
from helpers.engine import images as engine_images
from helpers.history import analysis_cache, store
from helpers.project import Project
from helpers.report import render_split

MB = 1_000_000


@dataclass
class Measured:
    project: Project
    timings: pd.DataFrame
    images: dict = field(default_factory=dict)
    runtime: dict = field(default_factory=dict)
    failed: dict = field(default_factory=dict)

    def builds(self) -> pd.DataFrame:
        """One row per variant and scenario: median and min-max seconds over the repeats."""
        cols = ["variant", "scenario", "status", "repeats", "median_s", "min_s", "max_s", "ran_steps", "method"]
        frame = self.timings[[c for c in cols if c in self.timings.columns]].copy()
        frame["ran_steps"] = frame["ran_steps"].map(lambda steps: "; ".join(steps) if steps else "")
        return frame.reset_index(drop=True)

    def rebuild_frame(self, scenarios=("cold", "code", "deps")) -> pd.DataFrame:
        ok = self.timings[(self.timings["status"] == "ok") & self.timings["scenario"].isin(scenarios)]
        return ok.rename(columns={"median_s": "median", "min_s": "min", "max_s": "max"})[
            ["variant", "scenario", "median", "min", "max", "repeats"]].reset_index(drop=True)

    def median(self, variant: str, scenario: str) -> float | None:
        row = self.timings[(self.timings["variant"] == variant) & (self.timings["scenario"] == scenario)
                           & (self.timings["status"] == "ok")]
        return float(row["median_s"].iloc[0]) if len(row) else None

    def facts(self) -> pd.DataFrame:
        """The headline figures per variant."""
        rows = []
        for variant, report in self.images.items():
            run = self.runtime.get(variant, {})
            rows.append({
                "variant": variant,
                "size (MB)": round(report.sizes.uncompressed_bytes / MB, 1),
                "compressed (MB)": round((report.sizes.compressed_bytes or 0) / MB, 1),
                "layers": report.sizes.layer_count,
                "reclaimable (MB)": round(report.reclaimable_bytes / MB, 1),
                "build tools": ", ".join(report.build_tools.binaries[:6]) or "none",
                "user": report.user or "root",
                "uid (running)": run.get("actual_uid"),
                "starts as it ships": ships_state(self, variant),
                "health": run.get("health", "not checked"),
                "smoke": smoke_state(run),
            })
        for variant, error in self.failed.items():
            rows.append({"variant": variant, "size (MB)": None, "build tools": f"build failed: {error}"})
        return pd.DataFrame(rows)

    def layers(self, variant: str) -> pd.DataFrame:
        frame = self.images[variant].layers
        return frame.rename(columns={"size_bytes": "bytes"})[["layer", "line", "instruction", "bytes", "stage"]]

    def waste(self, variant: str, top: int = 15) -> pd.DataFrame:
        frame = self.images[variant].waste
        if frame.empty:
            return frame
        from helpers.report.charts import size_text

        return frame.head(top).assign(size=lambda f: f["bytes"].map(size_text))[
            ["path", "size", "category", "kind", "line", "instruction"]]

    def waste_by_category(self) -> pd.DataFrame:
        rows = [{"variant": v, "category": c, "bytes": b}
                for v, r in self.images.items() for c, b in r.waste_by_category.items() if b]
        return pd.DataFrame(rows, columns=["variant", "category", "bytes"])

    def size_categories(self) -> pd.DataFrame:
        rows = []
        for variant, report in self.images.items():
            for _, layer in report.layers.iterrows():
                rows.append({"variant": variant, "category": layer_category(layer), "bytes": layer["size_bytes"]})
        frame = pd.DataFrame(rows, columns=["variant", "category", "bytes"])
        return frame.groupby(["variant", "category"], sort=False)["bytes"].sum().reset_index()

    def steps(self, variant: str, scenario: str) -> pd.DataFrame:
        row = self.timings[(self.timings["variant"] == variant) & (self.timings["scenario"] == scenario)]
        if row.empty or row["status"].iloc[0] != "ok":
            return pd.DataFrame(columns=["step", "seconds", "cached"])
        source = row["reused_from"].iloc[0]
        scenario_id = int(source) if pd.notna(source) else int(row["scenario_id"].iloc[0])
        steps = timings.steps_frame(scenario_id, self.project.history)
        steps = steps[(steps["repeat"] == 1) & (steps["kind"] == "step")].copy()
        steps["step"] = steps.apply(lambda r: f"{r['stage'] or ''} L{'' if pd.isna(r['line']) else int(r['line'])} "
                                              f"{str(r['instruction'])[:50]}", axis=1)
        steps["cached"] = steps["cached"].astype(bool)
        return steps[["step", "seconds", "cached"]].reset_index(drop=True)


def smoke_state(run: dict) -> str:
    if "smoke" not in run:
        return "skipped: no smoke command"
    return "passed" if run["smoke"]["ok"] else f"FAILED (exit {run['smoke']['exit_code']})"


def ships_state(measured: Measured, variant: str) -> str:
    """Whether the image starts as it ships; BROKEN when the original does and this variant does not."""
    ships = (measured.runtime.get(variant) or {}).get("ships")
    if not ships:
        return "not checked"
    if ships["ok"]:
        return f"starts: {ships['state']}"
    original = (measured.runtime.get("original") or {}).get("ships") or {}
    return f"BROKEN: {ships['state']}" if variant != "original" and original.get("ok") else f"does not start: {ships['state']}"


def broken_variants(measured: Measured) -> list[str]:
    return [v for v in measured.runtime if ships_state(measured, v).startswith("BROKEN")]


def layer_category(layer) -> str:
    text = f"{layer['instruction']} {layer['created_by']}".lower()
    if layer["stage"] == "base image" or (not layer["instruction"] and not layer["line"]):
        return "base image"
    if re.search(r"apt-get|apt |apk |dnf |yum ", text):
        return "OS packages (apt)"
    if re.search(r"pip|venv|site-packages|poetry|uv ", text):
        return "Python packages"
    if re.search(r"\bcopy\b|\badd\b", text):
        return "copied files (code, data, venv)"
    return "other"


def measure(project: Project, variants=("original",), scenarios=("cold", "code"), repeats: int = 3,
            fresh: bool = False, runtime: bool = True, log=print) -> Measured:
    """Build and measure each variant (timed scenarios, image analysis, runtime checks).

    Everything is stored and read under the project's run id: the rows this call wrote, by
    their ids, never the newest rows in the file (another render may be writing to it)."""
    from helpers.image import inspection  # ~20 ms to import, needed only once something is measured

    frames, images, checks, failed = [], {}, {}, {}
    for variant in project.available(variants):
        with render_split.spent(render_split.SETUP, variant):  # the builds inside count as builds
            frame = timings.measure_variant(
                project.context_for(variant), project.dockerfile_for(variant), variant, scenarios=tuple(scenarios),
                repeats=repeats, fresh=fresh, history=project.history, build_args=project.build_args(variant),
                code_file=project.code_file, dependency_file=project.dependency_file, tag=project.tag(variant), log=log,
                render_id=project.run_id)
        frames.append(frame)
        image_id = present_image(project, variant, variant_image(project, frame), log)
        if image_id is None:
            failed[variant] = "; ".join(e for e in frame.get("error", pd.Series(dtype=str)).dropna().unique()) or "no image"
            continue
        dockerfile = project.dockerfile_for(variant)
        options = project.run_options()
        analysed, checked = side_by_side(
            lambda: analysis_cache.cached(  # keyed by the Dockerfile's content, not where it is
                project.history, "image", image_id, fresh=fresh, extra=dockerfile_digest(dockerfile),
                compute=lambda: inspection.measure_image(image_id, dockerfile, history=project.history)),
            # the release may still run: these checks judge states, no figure of theirs is a time
            None if not runtime else lambda: analysis_cache.cached(
                project.history, "runtime", image_id, fresh=fresh,
                extra=" ".join(project.smoke or []) + " " + options.docker_run(""), keep=inspection.runtime_passed,
                compute=lambda: inspection.runtime_checks(image_id, project.smoke, project.smoke_expect, options)))
        images[variant] = analysed
        if runtime:
            checks[variant] = checked
    with render_split.spent(render_split.SETUP, "build cache release (waiting for the engine)"):
        build_cache.wait_for_releases()  # nothing left running on return (the next build waits for it too)
    timings_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return Measured(project, timings_frame, images, checks, failed)


def side_by_side(analyse, check):
    """(analysis, runtime checks) of one image, the analysis in a thread while the checks run here.

    The analysis is CPU (every layer gzipped); the checks mostly wait for containers to settle, so
    side by side the report is faster by about the shorter of the two. Wall time is counted once:
    a block inside another counts as the inner kind, and here, where the two ran at once, that time
    counts as runtime checks; the analysis keeps only its time outside them."""
    if check is None:
        return analyse(), None
    span: list[float] = []

    def analysis():
        begin = time.perf_counter()
        try:
            return analyse()
        finally:
            span[:] = [begin, time.perf_counter()]

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(analysis)
        begin = time.perf_counter()
        try:
            checked = check()
        finally:
            end = time.perf_counter()
            analysed = future.result()
    overlap = max(0.0, min(span[1], end) - max(span[0], begin))
    if overlap > 0:
        render_split.record(render_split.ANALYSIS, -overlap, "image analysis while the runtime checks ran (counted there)")
    return analysed, checked


def present_image(project: Project, variant: str, image_id: str | None, log=print) -> str | None:
    """The measured image, or, when it was removed since (e.g. `dockopt clean`), the same
    Dockerfile and context built again so it can be analysed; the timings stay the measured ones."""
    if image_id is None or engine_images.exists(image_id):
        return image_id
    log(f"{variant}: the measured image was removed since; building it again for analysis")
    result = buildkit.build(project.context_for(variant), project.dockerfile_for(variant), project.tag(variant),
                            build_args=project.build_args(variant), check=False)
    return result.image_id if result.ok else None


def variant_image(project: Project, frame: pd.DataFrame) -> str | None:
    """The image the measured variant recorded (by its variant id), None when it has none."""
    if frame.empty:
        return None
    with store.open_history(project.history) as hist:
        row = hist.variant(int(frame["variant_id"].iloc[0]))
    if row is None or row["status"] != "ok":
        return None
    image_id = row["image_id"]
    return image_id if isinstance(image_id, str) and image_id else None
