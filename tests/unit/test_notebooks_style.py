"""The phase notebooks stay thin: the habits of STYLE.md, checked on the committed files."""

import ast
import re

import nbformat
import pytest

from helpers.report.notebooks import PHASES

PARAM_LINE = re.compile(r"^[a-z_][a-z0-9_]*: (str|int|float|bool) = .+  # \S.*$")
REQUIRED_PARAMETERS = {"context", "dockerfile", "repeats", "fresh", "base_image", "history"}


def load(phase):
    return nbformat.read(phase.path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.stem)
def test_committed_without_outputs(phase):
    for cell in code_cells(load(phase)):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.stem)
def test_opens_with_the_question(phase):
    first = load(phase).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert phase.question in first.source


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.stem)
def test_parameters_cell_is_typed_and_documented(phase):
    tagged = [c for c in code_cells(load(phase)) if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    lines = [ln for ln in tagged[0].source.splitlines() if ln.strip()]
    bad = [ln for ln in lines if not PARAM_LINE.match(ln)]
    assert not bad, f"every parameter needs `name: type = default  # help`: {bad}"
    names = {ln.split(":")[0] for ln in lines}
    assert REQUIRED_PARAMETERS <= names


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.stem)
def test_one_import_cell_no_definitions_no_paths(phase):
    cells = [c for c in code_cells(load(phase)) if "parameters" not in c.metadata.get("tags", [])]
    trees = [(c, ast.parse(c.source)) for c in cells]
    import_cells = [c for c, t in trees if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(t))]
    assert len(import_cells) == 1
    for cell, tree in trees:
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)), cell.source[:60]
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "/" not in node.value, f"path literal in a notebook: {node.value!r}"


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.stem)
def test_closes_with_a_checked_budget_cell(phase):
    last = code_cells(load(phase))[-1]
    assert "nbval-check-output" in last.metadata.get("tags", [])
    assert "budget" in last.source


@pytest.mark.parametrize("phase", PHASES, ids=lambda p: p.stem)
def test_papermill_sees_every_parameter(phase):
    from papermill.translators import PythonTranslator

    tagged = [c for c in code_cells(load(phase)) if "parameters" in c.metadata.get("tags", [])][0]
    seen = {p.name for p in PythonTranslator.inspect(tagged)}
    declared = {ln.split(":")[0] for ln in tagged.source.splitlines() if ln.strip()}
    assert seen == declared
