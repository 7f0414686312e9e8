"""Charts: axes that start at zero, a log axis only with real tick labels in seconds, sizes in KB when tiny.

Asserted on the Figure's layout (what plotly draws), table-driven.
"""

import pandas as pd
import pytest

from helpers.report import charts


def _times(rows):
    return pd.DataFrame([{"variant": v, "scenario": s, "median": m, "min": m * 0.9, "max": m * 1.1, "repeats": 3}
                         for v, s, m in rows])


CODE_ONLY = [("original", "code", 30.0), ("phase3", "code", 1.5)]
COLD_AND_CODE = [("original", "cold", 40.0), ("original", "code", 30.0), ("phase3", "cold", 42.0),
                 ("phase3", "code", 0.3)]
CLOSE = [("original", "cold", 40.0), ("original", "code", 30.0), ("phase3", "cold", 35.0), ("phase3", "code", 5.0)]


@pytest.mark.parametrize("rows, log", [(CODE_ONLY, False), (COLD_AND_CODE, True), (CLOSE, False)])
def test_build_time_axis_is_linear_from_zero_or_log_with_labels_in_seconds(rows, log):
    axis = charts.rebuild_times(_times(rows)).layout.yaxis
    assert "(s)" in axis.title.text
    if log:
        assert axis.type == "log" and "log scale" in axis.title.text
        assert len(axis.tickvals) == len(axis.ticktext) and all(t.endswith(" s") for t in axis.ticktext)
        assert "30 s" in axis.ticktext or "20 s" in axis.ticktext and "50 s" in axis.ticktext
        assert "3" not in axis.ticktext  # plotly's abbreviated minor tick for 30 s
        assert min(axis.tickvals) <= 0.3 * 0.9 and max(axis.tickvals) >= 42.0 * 1.1
    else:
        assert axis.type == "linear" and axis.rangemode == "tozero"


def test_the_code_change_rebuild_chart_starts_at_zero_even_when_asked_nothing():
    axis = charts.rebuild_times(_times(CODE_ONLY)).layout.yaxis
    assert axis.rangemode == "tozero" and axis.tickvals is None


@pytest.mark.parametrize("low, high, expected", [
    (0.3, 45.0, ["0.2 s", "0.5 s", "1 s", "2 s", "5 s", "10 s", "20 s", "50 s", "100 s"]),
    (2.0, 30.0, ["1 s", "2 s", "5 s", "10 s", "20 s", "50 s"]),
])
def test_log_ticks_label_every_tick_in_seconds(low, high, expected):
    values, labels = charts.log_seconds_ticks(low, high)
    assert labels == expected and values == sorted(values)


@pytest.mark.parametrize("n_bytes, text", [
    (0, "0.0 KB"), (512, "0.5 KB"), (4_300, "4.3 KB"), (99_999, "100.0 KB"), (100_000, "0.1 MB"),
    (447_000_000, "447.0 MB"), (None, "not measured"),
])
def test_size_text_uses_kb_below_a_tenth_of_a_megabyte(n_bytes, text):
    assert charts.size_text(n_bytes) == text


@pytest.mark.parametrize("sizes, unit", [([4_300, 2_100], "KB"), ([4_300, 12_000_000], "MB")])
def test_context_chart_unit_follows_the_largest_size(sizes, unit):
    frame = pd.DataFrame({"label": ["original", "phase1"], "bytes": sizes, "files": [12, 3]})
    fig = charts.context_bytes(frame)
    assert fig.layout.yaxis.title.text == f"build context sent ({unit})"
    assert fig.layout.yaxis.rangemode == "tozero"
    assert list(fig.data[0].text)[0].startswith(charts.size_text(sizes[0]))
    if unit == "KB":
        assert list(fig.data[0].y) == [4.3, 2.1]


@pytest.mark.parametrize("make, axis", [
    (lambda: charts.size_by_variant(pd.DataFrame({"variant": ["a", "a"], "category": ["x", "y"],
                                                  "bytes": [50_000_000, 1_000_000]})), "yaxis"),
    (lambda: charts.layers_by_line(pd.DataFrame({"line": [1, None], "instruction": ["RUN x", "base"],
                                                 "bytes": [5_000_000, 80_000_000]})), "xaxis"),
    (lambda: charts.history(pd.DataFrame({"started": pd.to_datetime(["2026-01-01", "2026-01-02"]),
                                          "variant": ["phase3", "phase3"], "value": [1.4, 1.6]}), "rebuild", "s"),
     "yaxis"),
    (lambda: charts.waste_by_category(pd.DataFrame({"variant": ["a"], "category": ["x"], "bytes": [3_000_000]})),
     "yaxis"),
    (lambda: charts.build_waterfall(pd.DataFrame({"step": ["a", "b"], "seconds": [1.0, 2.0],
                                                  "cached": [False, True]}), "t"), "xaxis"),
])
def test_value_axes_start_at_zero(make, axis):
    assert getattr(make().layout, axis).rangemode == "tozero"


@pytest.mark.parametrize("command, shown", [
    (["python", "-c", "import app"], "python -c 'import app'"),
    (["python", "src/kaggle/run_inference.py", "--smoke"], "python src/kaggle/run_inference.py --smoke"),
    (["sh", "-c", "echo $HOME && true"], "sh -c 'echo $HOME && true'"),
])
def test_commands_are_shown_exactly_as_they_run(command, shown):
    import shlex
    from types import SimpleNamespace

    from helpers import study

    run = {"smoke": {"command": command, "ok": True, "exit_code": 0, "output_tail": "ok"}}
    frame = study.functionality(SimpleNamespace(runtime={"phase1": run}))
    assert frame["smoke command"].iloc[0] == shown and shlex.split(shown) == command



@pytest.mark.parametrize("wasted, title, shown", [(40_000, "reclaimable (KB)", 40.0), (3_000_000, "reclaimable (MB)", 3.0)])
def test_waste_chart_unit_follows_the_size(wasted, title, shown):
    fig = charts.waste_by_category(pd.DataFrame({"variant": ["a"], "category": ["x"], "bytes": [wasted]}))
    assert fig.layout.yaxis.title.text == title and list(fig.data[0].y) == [shown]
