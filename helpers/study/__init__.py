"""What the phase notebooks call: one line per cell, tidy DataFrames and report objects back.

Builds and measurements go through the measurement cache (``helpers.builds.timings``) and image
analyses through ``helpers.history.analysis_cache``, so a re-render with nothing changed reads the
history file instead of building or re-reading layers.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

import pandas as pd

from helpers.history import analysis_cache
from helpers.report import render_split
from helpers.builds import timings
from helpers.builds.context import scan_context
from helpers.lint import lint_dockerfile
from helpers.errors import DockoptError
from helpers.project import Project

MB = 1_000_000

# Every DataFrame a notebook shows also carries its full data and column types (pandas' Table
# Schema output), from which the stakeholder page builds a table for people (helpers.report.tables).
pd.set_option("display.html.table_schema", True)


# Findings ----------------------------------------------------------------------------------

def lint(project: Project, variant: str = "original"):
    """Lint one variant's Dockerfile against the project's context (hadolint included)."""
    path = project.dockerfile_for(variant) or project.unusable_files.get(variant)  # may derive: its own work
    if path is None:
        raise DockoptError(f"There is no {variant} Dockerfile to lint: {project.variant_source.get(variant, 'none given')}.",
                           hint="see the variants table at the top of the page for why")
    with render_split.spent(render_split.ANALYSIS, "lint"):
        return lint_dockerfile(path, context=project.context_for(variant),
                               build_args=project.build_args(variant) or None)


def findings_table(result) -> pd.DataFrame:
    frame = result.frame()
    if frame.empty:
        return frame
    cols = [c for c in ("line", "severity", "code", "category", "message", "fix") if c in frame.columns]
    frame = frame[cols].reset_index(drop=True)
    frame["message"] = frame["message"].map(relative_paths)
    return frame


def relative_paths(text: str) -> str:
    """Paths inside this checkout shown relative to it: the same on every machine and clone."""
    from helpers.paths import ROOT

    return str(text).replace(f"{ROOT}/", "")


def findings_by_category(result) -> pd.DataFrame:
    frame = result.frame()
    if frame.empty:
        return pd.DataFrame(columns=["category", "severity", "count"])
    return frame.groupby(["category", "severity"]).size().reset_index(name="count")


def findings_compare(results: dict) -> pd.DataFrame:
    """Findings per severity for several variants' lint results (variant -> LintResult)."""
    rows = []
    for variant, result in results.items():
        counts = result.frame()["severity"].value_counts() if not result.frame().empty else {}
        rows.append({"variant": variant, **{s: int(counts.get(s, 0)) for s in ("error", "warning", "info", "style")}})
    return pd.DataFrame(rows)


# Context -----------------------------------------------------------------------------------

def context_sizes(project: Project, variants=("original", "phase1")) -> pd.DataFrame:
    rows = []
    for variant in project.available(variants):
        scan = scan_context(project.context_for(variant), project.dockerfile_for(variant),
                            exclude=project.not_sent(variant))
        rows.append({"label": f"{variant} ({'no ignore file' if scan.ignore_file is None else scan.ignore_file.name})",
                     "variant": variant, "bytes": scan.sent_bytes, "files": len(scan.sent),
                     "all_bytes": scan.total_bytes})
    return pd.DataFrame(rows)


# Builds and images -------------------------------------------------------------------------

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


def ships_state(measured: "Measured", variant: str) -> str:
    """Whether the image starts as it ships; BROKEN when the original does and this variant does not."""
    ships = (measured.runtime.get(variant) or {}).get("ships")
    if not ships:
        return "not checked"
    if ships["ok"]:
        return f"starts: {ships['state']}"
    original = (measured.runtime.get("original") or {}).get("ships") or {}
    return f"BROKEN: {ships['state']}" if variant != "original" and original.get("ok") else f"does not start: {ships['state']}"


def broken_variants(measured: "Measured") -> list[str]:
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
    from helpers.image import inspection
    from helpers.builds.scenarios import dockerfile_digest

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
        images[variant] = analysis_cache.cached(  # keyed by the Dockerfile's content, not where it is
            project.history, "image", image_id, fresh=fresh, extra=dockerfile_digest(dockerfile),
            compute=lambda: inspection.measure_image(image_id, dockerfile, history=project.history))
        if runtime:
            options = project.run_options()
            checks[variant] = analysis_cache.cached(
                project.history, "runtime", image_id, fresh=fresh,
                extra=" ".join(project.smoke or []) + " " + options.docker_run(""), keep=inspection.runtime_passed,
                compute=lambda: inspection.runtime_checks(image_id, project.smoke, project.smoke_expect, options))
    timings_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return Measured(project, timings_frame, images, checks, failed)


def present_image(project: Project, variant: str, image_id: str | None, log=print) -> str | None:
    """The measured image, or, when it was removed since (e.g. `dockopt clean`), the same
    Dockerfile and context built again so it can be analysed; the timings stay the measured ones."""
    from helpers.engine import buildkit, images

    if image_id is None or images.exists(image_id):
        return image_id
    log(f"{variant}: the measured image was removed since; building it again for analysis")
    result = buildkit.build(project.context_for(variant), project.dockerfile_for(variant), project.tag(variant),
                            build_args=project.build_args(variant), check=False)
    return result.image_id if result.ok else None


def variant_image(project: Project, frame: pd.DataFrame) -> str | None:
    """The image the measured variant recorded (by its variant id), None when it has none."""
    from helpers.history import store

    if frame.empty:
        return None
    with store.open_history(project.history) as hist:
        row = hist.variant(int(frame["variant_id"].iloc[0]))
    if row is None or row["status"] != "ok":
        return None
    image_id = row["image_id"]
    return image_id if isinstance(image_id, str) and image_id else None


# Project and variants ----------------------------------------------------------------------

def project_table(project: Project) -> pd.DataFrame:
    from helpers.engine import connect

    info = connect.describe(connect.client())
    rows = [("project", project.name), ("context", str(project.context)), ("Dockerfile", str(project.dockerfile)),
            ("code-change file", project.code_file or "none found"),
            ("dependency manifest", project.dependency_file or "none found"),
            ("smoke command", shlex.join(project.smoke) if project.smoke else "none (exit code of the image's command only)"),
            ("engine", f"Docker {info.engine_version} (API {info.api_version}, {info.storage_driver}), {info.cpus} CPUs"),
            ("history", str(project.history)), ("run id", project.run_id)]
    return pd.DataFrame(rows, columns=["", "value"])


def variant_sources(project: Project) -> pd.DataFrame:
    return pd.DataFrame([{"variant": v, "Dockerfile": shown_path(project.dockerfile_for(v)),
                          "source": project.variant_source.get(v, "")} for v in ("original",) + PHASE_NAMES])


def shown_path(path) -> str:
    """A path as a reader wants it: relative to this checkout when inside it (stable across machines)."""
    from helpers.paths import ROOT

    if path is None:
        return ""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


PHASE_NAMES = ("phase1", "phase2", "phase3")


def diff(project: Project, before: str, after: str):
    """The unified diff between two variants' Dockerfiles, as text (shown escaped in HTML)."""
    import difflib

    from IPython.display import Markdown

    a, b = project.dockerfile_for(before), project.dockerfile_for(after)
    if a is None or b is None:
        missing = before if a is None else after
        return Markdown(f"skipped: no {missing} Dockerfile ({project.variant_source.get(missing, 'not given')})")
    lines = difflib.unified_diff(a.read_text().splitlines(), b.read_text().splitlines(),
                                 fromfile=f"{before}: {a.name}", tofile=f"{after}: {b.name}", lineterm="")
    return Text("\n".join(lines) or "(identical)")


class Text(str):
    """Plain text that notebooks and HTML show verbatim (escaped), whatever it contains."""

    def _repr_html_(self) -> str:
        import html

        return f"<pre style='white-space:pre-wrap'>{html.escape(str(self))}</pre>"

    def __repr__(self) -> str:
        return str(self)


# Runtime, tools, pins ----------------------------------------------------------------------

def build_tools_table(measured: Measured) -> pd.DataFrame:
    rows = []
    for variant, report in measured.images.items():
        tools = report.build_tools
        rows.append({"variant": variant, "compilers and build tools": ", ".join(tools.binaries) or "none",
                     "-dev / build packages": ", ".join(tools.packages[:8]) or "none",
                     "headers": getattr(tools, "header_files", None)})
    return pd.DataFrame(rows)


def runtime_table(measured: Measured) -> pd.DataFrame:
    """Each variant started as it ships: the verdict, how it was judged, the exact command."""
    rows = []
    for variant, run in measured.runtime.items():
        ships = run.get("ships") or {}
        rows.append({"variant": variant, "configured user": run.get("configured_user") or "(root)",
                     "uid of the running process": run.get("actual_uid"),
                     "starts as it ships": ships_state(measured, variant),
                     "how it was judged": ships.get("how", ""),
                     "HEALTHCHECK": "yes" if run.get("healthcheck") else "no",
                     "health": run.get("health"),
                     "smoke": smoke_state(run)})
    return pd.DataFrame(rows)


def started_with(measured: Measured) -> pd.DataFrame:
    """The exact `docker run` lines used: the image's own start, and the smoke command (entrypoint overridden)."""
    rows = []
    for variant, run in measured.runtime.items():
        rows.append({"variant": variant, "start": (run.get("ships") or {}).get("command", ""),
                     "smoke": (run.get("smoke") or {}).get("shown", "")})
    return pd.DataFrame(rows)


def broken_logs(measured: Measured) -> pd.DataFrame:
    """The last log lines of every variant that does not start, the evidence behind a BROKEN."""
    rows = [{"variant": v, "state": ships_state(measured, v), "last log lines": (r.get("ships") or {}).get("log_tail", "")}
            for v, r in measured.runtime.items() if not (r.get("ships") or {}).get("ok", True)]
    return pd.DataFrame(rows, columns=["variant", "state", "last log lines"])


def pin_table(lint_result) -> pd.DataFrame:
    frame = lint_result.frame()
    if frame.empty:
        return pd.DataFrame([{"finding": "none", "message": "every dependency is pinned"}])
    pins = frame[frame["code"].str.contains("DO604|DO605", regex=True)]
    if pins.empty:
        return pd.DataFrame([{"finding": "none", "message": "every dependency is pinned (no DO604/DO605)"}])
    return pins[["line", "code", "message"]].reset_index(drop=True)


def digest_table(project: Project, variant: str = "phase3") -> pd.DataFrame:
    """Each FROM of the variant: as written, as built (build args applied), and pinned or not."""
    from helpers.dockerfile.model import parse_dockerfile

    path = project.dockerfile_for(variant)
    if path is None:
        return pd.DataFrame([{"stage": "", "skipped": f"no {variant} Dockerfile"}])
    model = parse_dockerfile(path, build_args=project.build_args(variant) or None)
    return pd.DataFrame([{"stage": s.label, "FROM as written": s.base_raw, "resolved": s.base,
                          "pinned by digest": "@sha256:" in s.base} for s in model.stages])


# Security ----------------------------------------------------------------------------------



def security(project: Project, measured: Measured, fresh: bool = False) -> dict:
    """variant -> SecurityReport, cached per image id and day (Debian's security index changes daily)."""
    import datetime as dt

    from helpers.security.scan import scan_image

    reports = {}
    for variant, report in measured.images.items():
        image_id, dockerfile = report.image_id, project.dockerfile_for(variant)
        args = project.build_args(variant) or None
        reports[variant] = analysis_cache.cached(
            project.history, "security", image_id, fresh=fresh,
            extra=f"{dt.date.today().isoformat()}:{dockerfile}",
            compute=lambda: scan_image(image_id, dockerfile=dockerfile, build_args=args))
    return reports


def security_table(reports: dict) -> pd.DataFrame:
    rows = []
    for variant, report in reports.items():
        counts = report.counts()
        rows.append({"variant": variant, "score": report.score, "grade": report.grade,
                     **{k: v for k, v in counts.items()},
                     "OS packages with a security fix pending": report.os.count if report.os.scanned
                     else f"not scanned: {report.os.reason}",
                     "scanners": "; ".join(f"{s.name}: {s.status}" for s in report.scanner_list)})
    return pd.DataFrame(rows)


SECURITY_CHECKS = {  # checklist row -> rule ids (helpers.security.checks) whose absence means it passes
    "runs as non-root": ("SEC001",),
    "no setuid/setgid executables": ("SEC002",),
    "no world-writable paths": ("SEC003",),
    "no compilers or build systems": ("SEC005",),
    "no secrets or .env files in any layer": ("SEC007", "SEC008"),
    "base pinned by digest": ("SEC009",),
    "has a HEALTHCHECK": ("SEC010",),
    "no remote-shell port exposed": ("SEC012",),
}


def security_checklist(reports: dict) -> pd.DataFrame:
    rows = []
    for variant, report in reports.items():
        found = set(report.findings["rule"]) if len(report.findings) else set()
        for check, rules in SECURITY_CHECKS.items():
            rows.append({"variant": variant, "check": check, "passed": not (found & set(rules))})
        rows.append({"variant": variant, "check": "no pending OS security fixes",
                     "passed": (report.os.count == 0) if report.os.scanned else None})
    return pd.DataFrame(rows)


# Summary -----------------------------------------------------------------------------------

def expected_results(measured: Measured, security_reports: dict | None = None) -> pd.DataFrame:
    from helpers.report import summary

    return summary.expected_results(measured, security_reports)


def verdicts(results: pd.DataFrame) -> Text:
    from helpers.report.summary import basis_note

    note = basis_note(results)
    return Text("\n".join(([note] if note else []) + [f"{r['Metric']}: {r['Verdict']}" for _, r in results.iterrows()]))


def save_summary(results: pd.DataFrame, report_dir: str, plan: pd.DataFrame | None = None) -> str:
    from helpers.report import summary

    return summary.save(results, report_dir, plan)


def functionality(measured: Measured) -> pd.DataFrame:
    """Does each variant still do its job: started as it ships (the exact `docker run`), then the
    smoke command; a variant that does not start shows its last log lines."""
    rows = []
    for variant, run in measured.runtime.items():
        smoke = run.get("smoke")
        ships = run.get("ships") or {}
        rows.append({"variant": variant, "starts as it ships": ships_state(measured, variant),
                     "how it was judged": ships.get("how", ""), "started with": ships.get("command", ""),
                     "smoke command": (smoke.get("shown") or shlex.join(smoke["command"])) if smoke else "",
                     "smoke": smoke_state(run),
                     "output": (ships.get("log_tail", "") if ships and not ships.get("ok") else
                                (smoke or {}).get("output_tail", "")).strip()[-300:]})
    return pd.DataFrame(rows)


def gpu_check(project: Project, variant: str = "phase3", security: dict | None = None) -> Text:
    """The analysis's GPU test (`torch.cuda.is_available()` under `--gpus all`), where a GPU runtime exists.

    ``security`` (variant -> SecurityReport, as ``security()`` returns) tells what the image holds:
    an image without torch or CUDA libraries is left out with the reason.
    """
    from helpers.image import gpu
    from helpers.engine import connect

    report = (security or {}).get(variant)
    why = gpu.why_not_applicable(report.sbom, variant) if report is not None else None
    if why:
        return Text(why)

    runtimes = connect.client().info().get("Runtimes") or {}
    if "nvidia" not in runtimes:
        return Text(f"skipped: no GPU runtime (engine runtimes: {', '.join(sorted(runtimes)) or 'none'}; "
                    "`--gpus all` needs the NVIDIA container runtime)")
    from helpers.engine import containers

    report = None
    try:
        report = containers.run(project.tag(variant), ["python", "-c", "import torch; print(torch.cuda.is_available())"],
                                device_requests=[__import__("docker").types.DeviceRequest(count=-1, capabilities=[["gpu"]])])
    except Exception as exc:  # the run itself failing is the finding here
        return Text(f"GPU runtime present, but the check could not run: {exc}")
    return Text(f"torch.cuda.is_available() in {variant}: {report.output.strip()} (exit {report.exit_code})")


def history_frame(project: Project, metric: str = "Rebuild (code change)") -> pd.DataFrame:
    """Code-change rebuild medians over every run in the history file, per variant."""
    from helpers.history import store

    with store.open_history(project.history) as hist:
        frame = hist.frame(
            "SELECT r.started_at AS started, v.name AS variant, s.median_s AS value FROM scenarios s "
            "JOIN variants v ON v.variant_id = s.variant_id JOIN runs r ON r.run_id = v.run_id "
            "WHERE s.scenario = 'code' AND s.status = 'ok' AND s.reused_from IS NULL AND v.context = ? "
            "ORDER BY r.started_at", (str(project.context),))
    frame["started"] = pd.to_datetime(frame["started"])
    return frame


def plan_checklist(project: Project, measured: Measured, security_reports: dict) -> pd.DataFrame:
    """The analysis's "Implementation Priority", each item with what was measured to verify it."""
    from helpers.report import phase_budgets

    lints = {v: lint(project, v) for v in project.available(PHASE_NAMES)}
    codes = {v: set(r.codes()) for v, r in lints.items()}
    contexts = context_sizes(project, ["original", "phase1"])
    sent = dict(zip(contexts["variant"], contexts["bytes"])) if len(contexts) else {}
    run = measured.runtime
    size = {v: r.sizes.uncompressed_bytes for v, r in measured.images.items()}

    def item(phase, text, ok, evidence):
        return {"phase": phase, "item": text, "verified": {True: "yes", False: "NO", None: "not measured"}[ok],
                "evidence": evidence}

    from helpers.report.charts import size_text

    rows = [
        item(1, "Add .dockerignore file", sent.get("phase1", 0) < sent.get("original", 0) if sent else None,
             f"context sent: {size_text(sent.get('original'))} → {size_text(sent.get('phase1'))}"),
        item(1, "Implement multi-stage build", "DO102" not in codes.get("phase1", {"DO102"}),
             "no single-stage-that-compiles finding (DO102) on phase 1"),
        item(1, "Fix layer caching order", phase_budgets.reinstalls(measured, "phase1") is False
             if "phase1" in measured.images else None, "code-change rebuild of phase 1 re-ran no dependency install"),
        item(1, "Remove build tools from runtime", (len(measured.images["phase1"].build_tools.binaries) == 0)
             if "phase1" in measured.images else None, "no compiler/make/cmake found in the phase-1 filesystem"),
        item(2, "Add BuildKit cache mounts", "DO401" not in codes.get("phase2", {"DO401"}),
             "no missing-cache-mount finding (DO401) on phase 2"),
        item(2, "Implement non-root user", (run.get("phase2", {}).get("actual_uid") or 0) > 0 if "phase2" in run else None,
             f"uid of the running phase-2 container: {run.get('phase2', {}).get('actual_uid')}"),
        item(2, "Pin all dependency versions", not ({"DO604", "DO605"} & codes.get("phase2", {"DO604"})),
             "no unpinned-dependency finding (DO604, DO605) on phase 2"),
        item(2, "Add health check", run.get("phase2", {}).get("health") == "healthy" if "phase2" in run else None,
             f"phase-2 container health: {run.get('phase2', {}).get('health')}"),
        item(3, "Use image digests for base images", "DO302" not in codes.get("phase3", {"DO302"}),
             "every FROM of phase 3 carries @sha256 (DO302 absent)"),
        item(3, "Implement vulnerability scanning",
             bool(security_reports.get("phase3") and security_reports["phase3"].os.scanned) if security_reports else None,
             "phase-3 OS packages checked against Debian's security index"),
        platform_item(project),
        item(3, "Consider distroless/minimal base images", size.get("phase3", 0) < size.get("phase2", 0)
             if {"phase2", "phase3"} <= set(size) else None,
             f"phase 3 {size_text(size.get('phase3'))} vs phase 2 {size_text(size.get('phase2'))}"),
    ]
    return pd.DataFrame(rows)


def static_platforms(project: Project, variant: str, path, build_args: dict[str, str]) -> pd.DataFrame:
    """No emulated build asked for and none measured before: amd64 is the image measured on this
    page; arm64 is judged from the Dockerfile, with the command that builds it and its cost here."""
    from helpers.dockerfile import platform_readiness
    from helpers.history import store
    from helpers.engine import images

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


def platform_item(project: Project) -> dict:
    """The plan's multi-platform item, from the phase-3 platform builds (cached by the phase-3 notebook)."""
    frame = platforms(project, "phase3")
    ok = bool(len(frame)) and (frame["status"] == "ok").all()
    skipped = frame["status"].str.match(r"skipped|not built").any() if len(frame) else True
    evidence = "; ".join(f"{r['platform']}: {r['status']}" for _, r in frame.iterrows())
    return {"phase": 3, "item": "Add multi-platform builds (amd64/arm64)",
            "verified": "yes" if ok else ("not measured" if skipped else "NO"), "evidence": evidence}


def platforms(project: Project, variant: str = "phase3", fresh: bool = False, build: bool = False) -> pd.DataFrame:
    """The variant for linux/amd64 and linux/arm64: built and started on each, or judged statically.

    ``build`` runs the emulated arm64 build (about ten minutes here under QEMU); by default a
    result measured earlier is shown, else arm64 is judged from the Dockerfile's text
    (``helpers.dockerfile.platform_readiness``) with the command that builds it for real. Cached by the
    Dockerfile and context digests: a re-render does not rebuild or re-run.
    """
    from helpers import sample
    from helpers.builds.context_digest import context_digest, file_digest
    from helpers.engine import multiplatform

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
