"""The fleet index: ``index.html`` (ranked projects, totals, findings, engines) and ``fleet.json``.

The page is rendered from the same dictionary that is written to fleet.json, through a jinja2
template with autoescaping on: project names, paths and error text show as text. No script, no
external resource: the page works offline.
"""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from helpers.lint.finding import CATEGORIES, SEVERITIES

TEMPLATES = Path(__file__).parent / "templates"


def _mb(value) -> str:
    return "–" if value is None else f"{value / 1e6:,.1f} MB"


def _formatted(numbers: dict | None) -> dict:
    numbers = numbers or {}
    variants = numbers.get("variants", {})
    before, after = variants.get("original", {}), variants.get(numbers.get("optimized") or "", {})
    rebuild = "–"
    if before.get("code_rebuild_s") is not None and after.get("code_rebuild_s") is not None:
        rebuild = f"{before['code_rebuild_s']:.2f} s → {after['code_rebuild_s']:.2f} s"
    security = "–"
    if before.get("high_critical") is not None and after.get("high_critical") is not None:
        security = f"{before['high_critical']} → {after['high_critical']}"
    score = "–"
    if before.get("security_score") is not None and after.get("security_score") is not None:
        score = f"{before['security_score']} → {after['security_score']}"
    return {"saved_mb": _mb(numbers.get("saved_bytes")), "saved_pull_mb": _mb(numbers.get("saved_compressed_bytes")),
            "rebuild": rebuild, "security": security, "score": score}


def rank_key(project: dict):
    """Most saved per pull first, then per image; projects without numbers last, by name."""
    numbers = project.get("numbers") or {}
    pull, size = numbers.get("saved_compressed_bytes"), numbers.get("saved_bytes")
    return (pull is None, -(pull or 0), -(size or 0), project["name"])


def totals(projects: list[dict]) -> dict:
    measured = [p["numbers"] for p in projects if (p.get("numbers") or {}).get("optimized")]
    return {"measured": len(measured),
            "saved_bytes": sum(n.get("saved_bytes") or 0 for n in measured),
            "saved_compressed_bytes": sum(n.get("saved_compressed_bytes") or 0 for n in measured),
            "fewer_high_critical": sum(n.get("fewer_high_critical") or 0 for n in measured)}


def time_totals(projects: list[dict]) -> list[dict]:
    """Code-change rebuild seconds summed per engine (times are compared only within one engine)."""
    per: dict[str, dict] = {}
    for p in projects:
        numbers, engine = p.get("numbers") or {}, (p.get("engine") or {}).get("name")
        variants = numbers.get("variants", {})
        before = variants.get("original", {}).get("code_rebuild_s")
        after = variants.get(numbers.get("optimized") or "", {}).get("code_rebuild_s")
        if engine and before is not None and after is not None:
            row = per.setdefault(engine, {"engine": engine, "projects": 0, "before_s": 0.0, "after_s": 0.0})
            row["projects"] += 1
            row["before_s"] += before
            row["after_s"] += after
    return list(per.values())


def lint_categories(projects: list[dict]) -> list[dict]:
    rows = []
    known = list(CATEGORIES) + sorted({c for p in projects for c in (p.get("lint") or {}).get("by_category", {})
                                       if c not in CATEGORIES})
    for category in known:
        counts = [(p.get("lint") or {}).get("by_category", {}).get(category, 0) for p in projects]
        if sum(counts):
            rows.append({"category": category, "title": CATEGORIES.get(category, ""), "findings": sum(counts),
                         "projects": sum(1 for c in counts if c)})
    return rows


def page_context(data: dict) -> dict:
    projects = data["projects"]
    for p in projects:
        p["fmt"] = _formatted(p.get("numbers"))
        lint = p.setdefault("lint", {})
        lint.setdefault("by_severity", {s: 0 for s in SEVERITIES})
        lint["top"] = sorted(lint.get("by_category", {}).items(), key=lambda kv: -kv[1])[:3]
    engines = []
    for e in data.get("engines", []):
        engines.append({**e, "projects": sum(1 for p in projects if (p.get("engine") or {}).get("name") == e["name"]),
                        "failed": data.get("dead_engines", {}).get(e["name"], "")})
    return {**data, "engines": engines, "ranked": sorted(projects, key=rank_key),
            "by_findings": sorted(projects, key=lambda p: -sum((p.get("lint") or {}).get("by_severity", {}).values())),
            "totals": totals(projects), "time_totals": time_totals(projects), "categories": lint_categories(projects),
            "severities": SEVERITIES, "title": Path(data["fleet_file"]).name}


def write_index(out_dir: Path, data: dict) -> Path:
    """Write fleet.json (the data) and index.html (the page) into ``out_dir``; returns the page."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "fleet.json").write_text(json.dumps(data, indent=1, sort_keys=True, default=str), encoding="utf-8")
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    page = env.get_template("fleet.html.j2").render(**page_context(json.loads(json.dumps(data, default=str))))
    target = out_dir / "index.html"
    target.write_text(page, encoding="utf-8")
    return target
