"""``render_fleet`` and ``lint_fleet``: every project of a fleet file, then the index.

Layout of ``out``: ``index.html`` and ``fleet.json``; ``<project>/`` per project (its ``dockopt
report`` folder and ``fleet-report.log``); ``history/<engine>/history.sqlite``, one history file
per engine. Per engine, because each engine's numbers are compared only with its own, and
``dockopt report`` reuses a measurement only from the file it is given: a project re-run on the
engine that measured it reads its numbers back (a re-run resumes), while on another engine it is
measured again. One writer per file at a time, too: an engine runs one project at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from helpers.fleet import index_page, lint, pool, results, runner
from helpers.fleet.config import FleetConfig


def _shown(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _project_entry(spec, config: FleetConfig, findings: lint.ProjectFindings) -> dict:
    return {"name": spec.name, "slug": spec.slug, "context": str(spec.context), "dockerfile": str(spec.dockerfile),
            "dockerfile_shown": _shown(spec.dockerfile, config.path.parent), "line": spec.line,
            "engine": None, "attempts": [], "outcome": "not measured", "message": "", "report": None,
            "numbers": None,
            "lint": {"count": len(findings.findings), "by_category": findings.by_category(),
                     "by_severity": findings.by_severity(), "error": findings.error,
                     "findings": [f.as_dict() for f in findings.findings]}}


def _base(config: FleetConfig, lint_only: bool) -> dict:
    return {"fleet_file": str(config.path), "lint_only": lint_only,
            "generated_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "engines": [], "dead_engines": {}, "mixed_engines": False, "wall_seconds": None}


def lint_fleet(config: FleetConfig, out: Path, log=print) -> Path:
    """The index from static analysis alone: no engine, nothing built."""
    start = time.perf_counter()
    found = lint.lint_projects(config.projects)
    data = _base(config, lint_only=True)
    data["projects"] = [_project_entry(spec, config, found[spec.slug]) for spec in config.projects]
    data["wall_seconds"] = time.perf_counter() - start
    page = index_page.write_index(out, data)
    log(f"fleet: {len(config.projects)} projects linted in {data['wall_seconds']:.1f} s -> {page}")
    return page


def previous_engines(out: Path) -> dict[str, str]:
    """slug -> engine name that measured it in the last fleet run into ``out`` (for resuming there)."""
    try:
        data = json.loads((out / "fleet.json").read_text())
    except (OSError, ValueError):
        return {}
    return {p["slug"]: p["engine"]["name"] for p in data.get("projects", [])
            if p.get("engine") and p.get("outcome") in ("ok", "failed")}


def history_for(history_root: Path, engine) -> Path:
    return history_root / engine.slug / "history.sqlite"


def render_fleet(config: FleetConfig, engines: list, out: Path, repeats: int | None = None, fresh: bool = False,
                 history_root: Path | None = None, log=print) -> tuple[Path, dict]:
    """Every project's report on the pool of engines, then the index; returns (index page, data)."""
    from helpers.errors import EngineUnavailable

    out = Path(out).resolve()
    history_root = Path(history_root or config.history or out / "history").resolve()
    usable = []
    data = _base(config, lint_only=False)
    for engine in engines:
        try:
            engine.describe()
            usable.append(engine)
        except Exception as exc:  # an engine that does not answer at the start is left out, and said so
            data["dead_engines"][engine.name] = f"does not answer at {engine.host}: {engine.unreachable(exc)}"
            log(f"fleet: engine {engine.name} left out: {data['dead_engines'][engine.name]}")
    if not usable:
        raise EngineUnavailable("No engine of the pool answers: "
                                + "; ".join(f"engine {name} {why}" for name, why in data["dead_engines"].items()),
                                hint="start them, fix --engines (and DOCKER_CERT_PATH for tcp:// with TLS), "
                                "or use --lint-only for static analysis alone.")
    by_name = {e.name: e for e in usable}
    specs = {s.slug: s for s in config.projects}
    log(f"fleet: {len(specs)} projects on {len(usable)} engine(s): " + "; ".join(e.label() for e in usable))

    def run_one(spec, engine_name: str) -> pool.Attempt:
        engine = by_name[engine_name]
        return runner.run_report(spec, engine, out / spec.slug, history_for(history_root, engine),
                                 spec.repeats or repeats or config.repeats or 3, fresh=fresh, log=log)

    found = lint.lint_projects(config.projects)
    try:
        outcome = pool.run_pool(config.projects, list(by_name), run_one, affinity=previous_engines(out), log=log)
    except BaseException:  # Ctrl-C: the reports run in their own sessions, so stop them here
        runner.stop_all()
        raise
    data["engines"] = [e.info for e in usable] + [{"name": n, "host": next((e.host for e in engines if e.name == n), ""),
                                                   "machine": "", "engine_version": None, "cpus": None}
                                                  for n in data["dead_engines"]]
    data["dead_engines"].update(outcome.dead_engines)
    entries = []
    for spec in config.projects:
        entry = _project_entry(spec, config, found[spec.slug])
        attempts = outcome.attempts[spec.slug]
        entry["attempts"] = [{"engine": a.engine, "outcome": a.outcome, "seconds": round(a.seconds, 1),
                              "message": a.message} for a in attempts]
        final = attempts[-1]
        entry["outcome"], entry["message"] = final.outcome, final.message
        if final.engine and final.outcome in (pool.OK, pool.FAILED):
            engine = by_name[final.engine]
            entry["engine"] = engine.info
            entry["numbers"] = results.read_numbers(history_for(history_root, engine), spec.name, spec.context).as_dict()
            if (out / spec.slug / "index.html").is_file():
                entry["report"] = f"{spec.slug}/index.html"
        entries.append(entry)
    data["projects"] = entries
    data["mixed_engines"] = len({(p["engine"] or {}).get("engine_id") for p in entries if p["engine"]}) > 1
    data["wall_seconds"] = outcome.seconds
    page = index_page.write_index(out, data)
    log(f"fleet: {sum(1 for e in entries if e['outcome'] == 'ok')}/{len(entries)} projects measured in "
        f"{outcome.seconds:.0f} s -> {page}")
    return page, data
