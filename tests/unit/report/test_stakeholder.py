"""What a stakeholder page keeps of a notebook: results as people tables, no process output."""

import json

import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.report.stakeholder import PeopleOutputs, SharedPlotly, slug
from helpers.report.tables import TABLE_SCHEMA


def executed_notebook():
    frame = pd.DataFrame({"variant": ["original"], "median_s": [31.24]})
    table = new_output("execute_result", data={"text/plain": repr(frame), "text/html": frame.to_html(),
                                               TABLE_SCHEMA: json.loads(frame.to_json(orient="table"))},
                       execution_count=1)
    return new_notebook(cells=[
        new_markdown_cell("## Expected results: claims and measurements"),
        new_code_cell("study.measure(...)", outputs=[new_output("stream", name="stdout", text="original: cold build 1/3 ...\n")]),
        new_code_cell("frame", outputs=[table]),
        new_code_cell("study.save_summary(results, report_dir)",
                      outputs=[new_output("execute_result", data={"text/plain": "'saved for the index page'"}, execution_count=2)]),
        new_code_cell("charts.x()", outputs=[new_output("display_data", data={"text/html": "<script>/**\n* plotly.js v4</script>"}),
                                             new_output("display_data", data={"text/html": "<div>figure</div>"})]),
        new_code_cell("print(phase_budgets.summary(m))  # budget", outputs=[new_output(
            "stream", name="stdout", text="PASS  uid: 1000 > 0  (runs as non-root)\nbudgets: 1 of 1 hold\n")]),
    ])


def test_slug_is_the_heading_before_its_colon():
    assert slug("Expected results: the analysis's claims") == "expected-results"
    assert slug("The implementation plan, verified") == "the-implementation-plan-verified"


def test_people_outputs_keep_results_and_drop_the_process():
    nb, _ = PeopleOutputs().preprocess(executed_notebook(), {})
    html = "\n".join(o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "cold build 1/3" not in html and "saved for the index page" not in html
    assert 'id="expected-results"' in html and ">31.2<" in html and "<th></th>" not in html
    assert "All 1 checks hold" in html and "PASS  uid" not in html
    assert "<div>figure</div>" in html and "plotly.js v" not in html


def test_shared_plotly_drops_only_the_embedded_library():
    nb = nbformat.from_dict(executed_notebook())
    for cell in nb.cells:
        SharedPlotly().preprocess_cell(cell, {}, 0)
    figures = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "figure" in str(o.get("data", ""))]
    assert len(figures) == 1
    assert not any("plotly.js v" in str(o.get("data", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
