"""The seed's "Expected Results" table, measured: claim, original, optimized, improvement, verdict.

The seed's absolute figures (~8-10GB images, ~15-20min builds) describe the one project it
analysed, which the bundled sample reproduces; only the sample's table shows them. A user's
project is compared with the seed's relative claims (how much smaller, how much faster) and
the table says so (``basis_note``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

MB = 1_000_000
SUMMARY_FILE = "summary.json"

# The seed analysis's own figures (its "Expected Results" table), quoted as written.
SEED_CLAIMS = {
    "Image Size": ("~8-10GB", "~6-7GB", "20-30% reduction"),
    "First Build": ("~15-20min", "~15-20min", "Similar"),
    "Rebuild (code change)": ("~15-20min", "~1-2min", "90% faster"),
    "Security Issues": ("High", "Medium", "Reduced attack surface"),
    "Layers": ("~15", "~10", "Simplified"),
}

# What the seed promises any project, relative to its own starting point.
RELATIVE_CLAIMS = {
    "Image Size": "20-30% smaller",
    "First Build": "similar",
    "Rebuild (code change)": "90% faster",
    "Security Issues": "reduced",
    "Layers": "fewer",
}
RELATIVE_COLUMN = "Seed's claim (relative)"
SEED_ABSOLUTE_COLUMNS = ("Seed: original", "Seed: optimized")
RELATIVE_NOTE = ("Compared with the seed analysis's relative claims only: its absolute figures (image sizes in GB, "
                 "builds in minutes) describe the project it analysed (the bundled sample), not this one.")


def basis_note(table: pd.DataFrame | None) -> str:
    """The one line saying what a table compares against ("" for the sample's own table)."""
    if table is None or table.empty or RELATIVE_COLUMN not in table.columns:
        return ""
    return RELATIVE_NOTE


def _pct(before, after) -> float | None:
    return round(100 * (before - after) / before, 1) if before and after is not None else None


def verdict_for(metric: str, before, after) -> str:
    if before is None or after is None:
        return "not measured"
    if metric == "Image Size":
        cut = _pct(before, after)
        return "met" if cut >= 20 else ("partly" if cut > 0 else "missed")
    if metric == "First Build":  # the claim is "similar": missed only when 1.5x slower or worse
        return "met" if after <= before * 1.5 else "missed"
    if metric == "Rebuild (code change)":
        cut = _pct(before, after)
        return "met" if cut >= 90 else ("partly" if cut > 0 else "missed")
    if metric in ("Security Issues", "Layers"):
        return "met" if after < before else ("partly" if after == before else "missed")
    return "n/a"


def expected_results(measured, security: dict | None = None, optimized: str = "phase3",
                     sample: bool | None = None) -> pd.DataFrame:
    """One row per metric of the seed's table; ``security`` maps variant -> SecurityReport (optional).

    ``sample``: whether ``measured`` is the bundled sample (the project the seed's absolute figures
    describe); None reads it from ``measured.project``. Any other project gets the relative claims.
    """
    if sample is None:
        sample = bool(getattr(getattr(measured, "project", None), "is_sample", False))
    def size(v):
        r = measured.images.get(v)
        return r.sizes.uncompressed_bytes if r else None

    def layers(v):
        r = measured.images.get(v)
        return r.sizes.layer_count if r else None

    def high(v):
        report = (security or {}).get(v)
        return report.counts().get("high", 0) + report.counts().get("critical", 0) if report else None

    rows = []
    measures = {
        "Image Size": (size("original"), size(optimized), lambda b: f"{b / MB:,.0f} MB"),
        "First Build": (measured.median("original", "cold"), measured.median(optimized, "cold"), lambda s: f"{s:.1f} s"),
        "Rebuild (code change)": (measured.median("original", "code"), measured.median(optimized, "code"),
                                  lambda s: f"{s:.2f} s"),
        "Security Issues": (high("original"), high(optimized), lambda n: f"{n} high/critical"),
        "Layers": (layers("original"), layers(optimized), lambda n: f"{n}"),
    }
    for metric, (before, after, show) in measures.items():
        claim = SEED_CLAIMS[metric]
        if before is not None and after is not None and metric in ("Image Size", "Rebuild (code change)", "First Build"):
            change = _pct(before, after)
            improvement = f"{change:.0f}% {'smaller' if metric == 'Image Size' else 'faster'}" if change >= 0 else \
                f"{-change:.0f}% {'larger' if metric == 'Image Size' else 'slower'}"
        elif before is not None and after is not None:
            improvement = f"{before} → {after}"
        else:
            improvement = "not measured"
        seed = ({"Seed: original": claim[0], "Seed: optimized": claim[1], "Seed: improvement": claim[2]} if sample
                else {RELATIVE_COLUMN: RELATIVE_CLAIMS[metric]})
        rows.append({
            "Metric": metric, **seed,
            "Measured: original": show(before) if before is not None else "not measured",
            "Measured: optimized": show(after) if after is not None else "not measured",
            "Measured: improvement": improvement, "Verdict": verdict_for(metric, before, after),
        })
    table = pd.DataFrame(rows)
    # The raw figures behind each row, per variant, for the index page's tiles and verdicts (it
    # shows these numbers, it does not measure or recompute them).
    table.attrs["measured"] = {metric: {"original": before, "optimized": after}
                               for metric, (before, after, _) in measures.items()}
    table.attrs["optimized"] = optimized
    table.attrs["variants"] = {
        v: {"Image Size": size(v), "Layers": layers(v), "First Build": measured.median(v, "cold"),
            "Rebuild (code change)": measured.median(v, "code"), "Security Issues": high(v)}
        for v in ("original", "phase1", "phase2", "phase3") if v in measured.images}
    return table


def save(table: pd.DataFrame, report_dir: str, plan: pd.DataFrame | None = None) -> str:
    """Write the table (its raw figures, and the plan checklist) beside the report for the index page."""
    if not report_dir:
        return "not saved (no report_dir)"
    path = Path(report_dir) / SUMMARY_FILE
    payload = {"table": json.loads(table.to_json(orient="records")),
               "measured": table.attrs.get("measured", {}), "variants": table.attrs.get("variants", {}),
               "optimized": table.attrs.get("optimized", "phase3"),
               "plan": json.loads(plan.to_json(orient="records")) if plan is not None else []}
    path.write_text(json.dumps(payload, indent=1, default=_plain))
    return f"saved for the index page ({SUMMARY_FILE})"


def _plain(value):
    return value.item() if hasattr(value, "item") else str(value)


def load_saved(report_dir: Path) -> dict | None:
    """summary.json as saved: table rows, raw figures, per-variant figures, plan (older files: rows only)."""
    path = Path(report_dir) / SUMMARY_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return {"table": data, "measured": {}, "variants": {}, "plan": []} if isinstance(data, list) else data


def load(report_dir: Path) -> pd.DataFrame | None:
    saved = load_saved(report_dir)
    return pd.DataFrame(saved["table"]) if saved else None
