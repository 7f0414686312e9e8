"""What a stakeholder page shows of an executed notebook: results, not the process that made them.

Applied to a copy of the executed notebook before the code-free HTML is made:

- a DataFrame becomes a table for people (``tables.people_table``, from its Table Schema output);
- a Dockerfile diff is shown as a reviewer reads it (``diff_view``);
- the budget cell's printed lines become a headline and a table of checks;
- progress lines (stdout/stderr), bare reprs and return values (outputs that are only
  ``text/plain``) are dropped: they stay in the engineer page;
- plotly.js, which the kernel embeds in the first figure's output, is dropped from every page
  (both flavours): the page loads the folder's one copy (``plotly.min.js``) instead.

Each people table gets an id from the heading above it (``expected-results``), so the index page
can link a number to the table it comes from.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor

from helpers.report.diff_view import diff_html, is_unified_diff
from helpers.report.tables import TABLE_SCHEMA, budget_table, people_table

BUDGET_MARK = "# budget"
PLOTLY_JS = "* plotly.js v"
HEADING = re.compile(r"^#{1,4}\s+(.+)$", re.MULTILINE)


def slug(text: str) -> str:
    """'Expected results: the analysis's claims' -> 'expected-results' (the part before a colon)."""
    head = text.split(":")[0]
    return re.sub(r"[^a-z0-9]+", "-", head.lower()).strip("-") or "table"


def html_of(output) -> str:
    data = output.get("data", {})
    value = data.get("text/html", "")
    return "".join(value) if isinstance(value, list) else value


def is_plotly_loader(output) -> bool:
    return output.get("output_type") == "display_data" and PLOTLY_JS in html_of(output)[:2000]


class SharedPlotly(Preprocessor):
    """Drop the embedded plotly.js; the page template loads the folder's copy once."""

    def preprocess_cell(self, cell, resources, index):
        if cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs if not is_plotly_loader(o)]
        return cell, resources


class PeopleOutputs(Preprocessor):
    """The stakeholder transformation described in the module docstring."""

    def preprocess(self, nb, resources):
        used: dict[str, int] = {}
        section = "table"
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                headings = HEADING.findall(cell.source)
                if headings:
                    section = slug(headings[-1])
                continue
            if cell.cell_type != "code":
                continue
            outputs = []
            for output in cell.get("outputs", []):
                kept = self.transform(output, cell, section, used)
                if kept is not None:
                    outputs.append(kept)
            cell.outputs = outputs
        return nb, resources

    def transform(self, output, cell, section: str, used: dict):
        kind = output.get("output_type")
        if kind == "error":
            return output
        if kind == "stream":
            if cell.source.rstrip().endswith(BUDGET_MARK) and output.get("name") == "stdout":
                return _html(budget_table(output.get("text", ""), _unique("budget", used)))
            return None
        data = output.get("data", {})
        if is_plotly_loader(output):
            return None
        if TABLE_SCHEMA in data:
            return _html(people_table(data[TABLE_SCHEMA], _unique(section, used)))
        plain = "".join(data.get("text/plain", ""))
        if is_unified_diff(plain):
            return _html(diff_html(plain))
        if set(data) <= {"text/plain"}:
            return None
        return output


def _unique(name: str, used: dict) -> str:
    used[name] = used.get(name, 0) + 1
    return name if used[name] == 1 else f"{name}-{used[name]}"


def _html(body: str):
    from nbformat.v4 import new_output

    return new_output("display_data", data={"text/html": body})
