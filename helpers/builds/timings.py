"""Build timings for notebooks: measure a variant, get tidy DataFrames back.

Thin over helpers.builds.scenarios (which builds) and helpers.history.store (which remembers), so a notebook
cell is one call and a re-render with nothing changed reads the history instead of building.
"""

from __future__ import annotations

from pathlib import Path

from helpers import sample
from helpers.history import store
from helpers.builds import scenarios as scenario_runner


def measure_variant(context: Path | str, dockerfile: Path | str, name: str, *,
                    scenarios: tuple[str, ...] | list[str] = scenario_runner.SCENARIOS, repeats: int = 3,
                    fresh: bool = False, history: Path | str | None = None,
                    build_args: dict[str, str] | None = None, code_file: str | None = None,
                    dependency_file: str | None = None, tag: str | None = None, log=print,
                    render_id: str | None = None):
    """Measure one Dockerfile's build scenarios; one DataFrame row per scenario.

    Columns: variant, scenario, status, repeats, median_s, min_s, max_s, reused_from (the
    scenario id a cached figure came from), error, method, ran_steps (the Dockerfile steps the
    first repeat executed, as "line N: INSTRUCTION"), plus run metadata. ``render_id``: the
    report render's run id this measurement belongs to.
    """
    target = scenario_runner.Target(name, Path(context), Path(dockerfile), dict(build_args or {}),
                              code_file=code_file, dependency_file=dependency_file, tag=tag)
    outcome = scenario_runner.measure(target, scenarios, repeats=repeats, fresh=fresh, history=history, log=log,
                                      render_id=render_id)
    with store.open_history(history) as hist:
        return scenario_frame(hist, outcome["run_id"], outcome["variant_id"])


def measure_sample(name: str, **kwargs):
    """Measure one of the bundled sample's variants (original, phase1, phase2, phase3)."""
    v = sample.variant(name)
    sample.ensure_weights()
    kwargs.setdefault("code_file", sample.CODE_FILE)
    kwargs.setdefault("dependency_file", sample.DEPENDENCY_FILE)
    kwargs.setdefault("tag", f"dockopt-build/snsw:{name}")
    kwargs["build_args"] = {**sample.build_args(v), **(kwargs.get("build_args") or {})}
    return measure_variant(sample.SAMPLE_CONTEXT, v.dockerfile, name, **kwargs)


def ran_steps(hist: store.History, scenario_id: int, repeat: int = 1) -> list[str]:
    steps = hist.steps(scenario_id)
    steps = steps[(steps["repeat"] == repeat) & (steps["ran"] == 1)]
    return [f"line {int(r.line)}: {r.instruction}" if r.line == r.line and r.line is not None
            else str(r.instruction) for r in steps.sort_values(["line", "vertex"]).itertuples()]


def scenario_frame(hist: store.History, run_id: int, variant_id: int | None = None):
    frame = hist.scenarios(run_id)
    if variant_id is not None:
        frame = frame[frame["variant_id"] == variant_id].reset_index(drop=True)
    frame["ran_steps"] = [ran_steps(hist, sid) if status == "ok" else []
                          for sid, status in zip(frame["scenario_id"], frame["status"])]
    return frame


def steps_frame(scenario_id: int, history: Path | str | None = None):
    """Per-step records (stage, line, seconds, cached, ran) of one measured scenario."""
    with store.open_history(history) as hist:
        return hist.steps(scenario_id)
