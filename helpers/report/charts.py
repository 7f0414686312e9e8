"""Plotly figures for the report: tidy pandas data in, a Figure out, no I/O.

Every chart states its units on its axes; sizes are shown in MB (10^6 bytes, as `docker
images` prints them), or in KB when the largest is below 0.1 MB, and times in seconds.
Value axes are linear and start at zero; the one log axis (build times spanning orders of
magnitude) is labelled in seconds with a tick label at every tick ("30 s", never plotly's
abbreviated minor "3").
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio

# JupyterLab draws the plotly mimetype; nbconvert's HTML needs the "notebook" output, which
# embeds plotly.js once per kernel (at this import) and draws offline. Both go in every output.
pio.renderers.default = "plotly_mimetype+notebook"

MB = 1_000_000
KB = 1_000
LOG_SPAN = 30  # a build-time chart goes logarithmic when its bars span more than this factor
# Okabe & Ito's qualitative palette, made to stay distinguishable with any colour-vision deficiency;
# set once in the template every chart uses, so no chart picks its own colours.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
pio.templates["dockopt"] = go.layout.Template(pio.templates["plotly_white"])
pio.templates["dockopt"].layout.colorway = OKABE_ITO
TEMPLATE = "dockopt"
pio.templates.default = TEMPLATE  # plotly express picks trace colours from the default template at creation
SEVERITY_COLORS = {"error": "#D55E00", "warning": "#E69F00", "info": "#0072B2", "style": "#999999"}
STATE_COLORS = {"ran": "#D55E00", "cached": "#0072B2", "fail": "#F4C7A1", "unknown": "#EDF2F7", "pass": "#B3D4EA"}


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(template=TEMPLATE, title=title, height=height, legend_title_text="",
                      margin=dict(l=60, r=20, t=60, b=60))
    return fig


def size_unit(largest_bytes: float) -> tuple[int, str]:
    """(divisor, unit) for sizes whose largest is ``largest_bytes``: KB below 0.1 MB, else MB."""
    return (KB, "KB") if largest_bytes < 0.1 * MB else (MB, "MB")


def size_text(n_bytes: float | None) -> str:
    """A size as the report writes it in words: "4.3 KB" below 0.1 MB (never "0.0 MB"), else "12.3 MB"."""
    if n_bytes is None:
        return "not measured"
    divisor, unit = size_unit(n_bytes)
    return f"{n_bytes / divisor:,.1f} {unit}"


def _from_zero(fig: go.Figure, axis: str = "y") -> go.Figure:
    (fig.update_yaxes if axis == "y" else fig.update_xaxes)(type="linear", rangemode="tozero")
    return fig


def log_seconds_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Tick values (1-2-5 per decade) covering [low, high] seconds, each labelled in full ("30 s")."""
    low, high = max(low, 0.01), max(high, low)
    values = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in (1, 2, 5):
            value = round(mantissa * 10.0 ** exponent, 6)
            if low / 2.5 <= value <= high * 2.5:
                values.append(value)
    return values, [f"{v:g} s" for v in values]


def size_by_variant(frame: pd.DataFrame) -> go.Figure:
    """Image size per variant stacked by category. Columns: variant, category, bytes."""
    divisor, unit = size_unit(frame.groupby("variant")["bytes"].sum().max() if len(frame) else 0)
    data = frame.assign(size=frame["bytes"] / divisor)
    fig = px.bar(data, x="variant", y="size", color="category", text_auto=".0f" if unit == "MB" else ".1f",
                 labels={"size": f"uncompressed size ({unit})", "variant": "variant"})
    return _layout(_from_zero(fig), "Image size by variant, by what the bytes are")


def layers_by_line(frame: pd.DataFrame, variant: str = "") -> go.Figure:
    """Bytes each Dockerfile line adds. Columns: line (int or None), instruction, bytes."""
    data = frame[frame["bytes"] > 0].copy()
    data["label"] = data.apply(
        lambda r: f"L{int(r['line'])}: {str(r['instruction'])[:60]}" if pd.notna(r["line"])
        else f"base: {str(r['instruction'])[:60]}", axis=1)
    divisor, unit = size_unit(data["bytes"].max() if len(data) else 0)
    data["size"] = data["bytes"] / divisor
    fig = px.bar(data.iloc[::-1], x="size", y="label", orientation="h", text_auto=".1f",
                 labels={"size": f"layer size ({unit})", "label": "Dockerfile line"})
    height = max(300, 40 * len(data) + 120)
    return _layout(_from_zero(fig, "x"), f"Layer size by Dockerfile line{(' — ' + variant) if variant else ''}", height)


def build_waterfall(steps: pd.DataFrame, title: str) -> go.Figure:
    """Build steps in order, each bar starting where the previous ended; cached steps marked.

    Columns: step (label), seconds, cached (bool). BuildKit runs independent stages in
    parallel and prints no start times, so the x axis is cumulative step time, an upper
    bound on the wall time; the title says so.
    """
    data = steps.reset_index(drop=True).copy()
    data["start"] = data["seconds"].cumsum() - data["seconds"]
    data["state"] = data["cached"].map({True: "cached", False: "ran"})
    fig = go.Figure()
    for state, color in (("ran", STATE_COLORS["ran"]), ("cached", STATE_COLORS["cached"])):
        part = data[data["state"] == state]
        fig.add_bar(y=part["step"], x=part["seconds"].clip(lower=0.02), base=part["start"],
                    orientation="h", name=state, marker_color=color,
                    hovertemplate="%{y}<br>%{x:.2f} s<extra>" + state + "</extra>")
    fig.update_yaxes(autorange="reversed", title="build step")
    fig.update_xaxes(title="cumulative step time (s)", rangemode="tozero")
    return _layout(fig, title, max(300, 28 * len(data) + 140))


def rebuild_times(frame: pd.DataFrame, log: bool | None = None) -> go.Figure:
    """Median build time per variant and scenario, whiskers min-max. Columns: variant, scenario, median, min, max, repeats.

    Linear from zero, unless ``log`` (None: when several scenarios' bars span more than
    ``LOG_SPAN`` times, a cold build next to a 0.3 s rebuild); a log axis gets a tick label in
    seconds at each tick and says so in its title. Every bar is labelled with its median.
    """
    data = frame.copy()
    fig = go.Figure()
    for scenario, part in data.groupby("scenario", sort=False):
        fig.add_bar(name=str(scenario), x=part["variant"], y=part["median"],
                    error_y=dict(type="data", symmetric=False, array=part["max"] - part["median"],
                                 arrayminus=part["median"] - part["min"]),
                    customdata=part[["min", "max", "repeats"]], texttemplate="%{y:.3g} s", textposition="outside",
                    hovertemplate="%{x}: median %{y:.2f} s (min %{customdata[0]:.2f}, max %{customdata[1]:.2f}, n=%{customdata[2]})<extra></extra>")
    fig.update_layout(barmode="group")
    positive = data.loc[data["median"] > 0, "median"]
    if log is None:
        log = data["scenario"].nunique() > 1 and len(positive) > 1 and positive.max() / positive.min() > LOG_SPAN
    title = "wall time of docker build (s), median; whiskers min–max"
    if log:
        values, labels = log_seconds_ticks(float(data["min"].clip(lower=0.01).min()), float(data["max"].max()))
        fig.update_yaxes(type="log", tickmode="array", tickvals=values, ticktext=labels,
                         title=title + "; log scale")
    else:
        fig.update_yaxes(title=title)
        _from_zero(fig)
    return _layout(fig, "Build time by scenario")


def context_bytes(frame: pd.DataFrame) -> go.Figure:
    """Bytes sent to the engine. Columns: label, bytes, files."""
    divisor, unit = size_unit(frame["bytes"].max() if len(frame) else 0)
    data = frame.assign(size=frame["bytes"] / divisor)
    fig = px.bar(data, x="label", y="size", text=data.apply(lambda r: f"{size_text(r['bytes'])}, {r['files']} files",
                                                            axis=1) if len(data) else None,
                 labels={"size": f"build context sent ({unit})", "label": ""})
    return _layout(_from_zero(fig), "Build context size")


def findings_by_category(frame: pd.DataFrame) -> go.Figure:
    """Lint findings per seed category. Columns: category, severity, count."""
    fig = px.bar(frame, x="count", y="category", color="severity", orientation="h",
                 color_discrete_map=SEVERITY_COLORS, labels={"count": "findings", "category": ""})
    return _layout(_from_zero(fig, "x"), "Findings by category of the analysis", max(300, 40 * frame["category"].nunique() + 140))


def security_checklist(frame: pd.DataFrame) -> go.Figure:
    """Pass/fail per check and variant. Columns: variant, check, passed (bool or None for not checked)."""
    pivot = frame.pivot(index="check", columns="variant", values="passed")
    z = pivot.apply(lambda col: col.map({True: 1, False: 0, None: 0.5})).fillna(0.5)
    text = pivot.apply(lambda col: col.map({True: "pass", False: "FAIL"})).fillna("not checked")
    fig = go.Figure(go.Heatmap(z=z.values, x=list(pivot.columns), y=list(pivot.index), text=text.values,
                               texttemplate="%{text}", zmin=0, zmax=1, showscale=False,
                               colorscale=[[0, STATE_COLORS["fail"]], [0.5, STATE_COLORS["unknown"]], [1, STATE_COLORS["pass"]]]))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Security checklist", max(300, 36 * len(pivot) + 140))


def history(frame: pd.DataFrame, metric: str, unit: str) -> go.Figure:
    """A metric over runs. Columns: started (datetime), variant, value."""
    fig = px.line(frame, x="started", y="value", color="variant", markers=True,
                  labels={"value": f"{metric} ({unit})", "started": "run"})
    return _layout(_from_zero(fig), f"{metric} over runs")


def waste_by_category(frame: pd.DataFrame) -> go.Figure:
    """Reclaimable bytes per variant and category (MB, or KB when small). Columns: variant, category, bytes."""
    divisor, unit = size_unit(frame.groupby("variant")["bytes"].sum().max() if len(frame) else 0)
    data = frame.assign(size=frame["bytes"] / divisor)
    fig = px.bar(data, x="variant", y="size", color="category", text_auto=".1f",
                 labels={"size": f"reclaimable ({unit})", "variant": "variant"})
    return _layout(_from_zero(fig), "Reclaimable bytes by category (every copy but one, plus files deleted later)")
