"""The architecture as rules a test can check (docs/ARCHITECTURE.md says why each one holds).

- ``helpers`` has no import cycle, counting imports inside functions: a lazy import kept for
  start-up speed is fine, one that only hides a cycle is not.
- Only ``helpers/engine/`` talks to Docker: imports the SDK, asks ``connect`` for a client, or runs
  the docker CLI. Everything else asks an engine module, so there is one place that knows the
  engine's quirks (API versions, the CLI that runs BuildKit, entrypoint resets).
- Only ``helpers/history/store.py`` runs SQL: everything else calls a named store method, so the
  schema and its queries change in one file.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "helpers"
ENGINE = PACKAGE / "engine"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in p.parts}


def resolve(name: str) -> str | None:
    """The module of ours that ``name`` (a module or a module's attribute) lives in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(path: Path) -> set[str]:
    """Every module of ours that this file imports, at any depth (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] == "helpers" and (target := resolve(name)):
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    # an import of helpers.a.b runs helpers/a/__init__.py too, but a package's __init__ that
    # re-exports its own modules is not a cycle: only the named module is an edge
    return {name: imports_of(path) - {name} for name, path in MODULES.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path):
    edges = {"helpers.a": {"helpers.b"}, "helpers.b": {"helpers.c"}, "helpers.c": {"helpers.a"}, "helpers.d": {"helpers.a"}}
    assert cycles(edges) == [["helpers.a", "helpers.b", "helpers.c"]]
    lazy = tmp_path / "m.py"
    lazy.write_text("def f():\n    from helpers.engine import buildkit\n    import helpers.dockerfile.model\n")
    assert imports_of(lazy) == {"helpers.engine.buildkit", "helpers.dockerfile.model"}


def test_helpers_has_no_import_cycle():
    assert cycles(graph()) == []


def talks_to_docker(path: Path) -> list[str]:
    """Lines where a module imports the docker SDK, asks for an engine client or runs the docker CLI."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        line = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "docker" for a in node.names):
            found.append(f"{line} imports the docker SDK")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "docker" and node.level == 0:
            found.append(f"{line} imports the docker SDK")
        elif isinstance(node, ast.Attribute) and node.attr == "client" and isinstance(node.value, ast.Name) \
                and node.value.id == "connect":
            found.append(f"{line} asks for an engine client")
        elif isinstance(node, (ast.List, ast.Tuple)) and node.elts and isinstance(node.elts[0], ast.Constant) \
                and isinstance(node.elts[0].value, str) and Path(node.elts[0].value).name == "docker":
            found.append(f"{line} runs the docker CLI")
    return found


@pytest.fixture
def fake_module(tmp_path, monkeypatch):
    """A module file in a throwaway ``helpers`` package (the finders name lines relative to it)."""
    src = tmp_path / "helpers" / "x.py"
    src.parent.mkdir()
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", src.parent)
    return src


def test_the_docker_finder_sees_each_way_of_talking_to_docker(fake_module):
    src = fake_module
    src.write_text("import docker.errors\nfrom docker import types\nc = connect.client()\n"
                   "subprocess.run(['docker', 'run'])\nsubprocess.run(('/usr/bin/docker', 'build'))\n"
                   "print(['dockerd'], 'docker')\n")
    assert [f.split(" ", 1)[1] for f in talks_to_docker(src)] == [
        "imports the docker SDK", "imports the docker SDK", "asks for an engine client",
        "runs the docker CLI", "runs the docker CLI"]


@pytest.mark.parametrize("path", [p for p in MODULES.values() if ENGINE not in p.parents],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_engine_package_talks_to_docker(path):
    assert talks_to_docker(path) == []


STORE = PACKAGE / "history" / "store.py"
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA|BEGIN|WITH|REPLACE)\b", re.I)


def literal_text(node) -> str:
    """The text of a string literal, an f-string's literal parts, or a concatenation of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(literal_text(v) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return literal_text(node.left) + literal_text(node.right)
    return ""


def runs_sql(path: Path) -> list[str]:
    """Lines where a module opens SQLite itself, reaches into a History's connection, or runs SQL."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        line = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "sqlite3" for a in node.names):
            found.append(f"{line} imports sqlite3")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlite3":
            found.append(f"{line} imports sqlite3")
        elif isinstance(node, ast.Attribute) and node.attr == "conn":
            found.append(f"{line} uses a history connection")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name.startswith("read_sql"):
                found.append(f"{line} runs SQL")
            elif node.args and SQL.match(literal_text(node.args[0])):
                found.append(f"{line} runs SQL")
    return found


def test_the_sql_finder_sees_each_way_of_running_sql(fake_module):
    src = fake_module
    src.write_text("import sqlite3\nfrom sqlite3 import connect\nrow = hist.conn.execute(query)\n"
                   "db.execute('SELECT 1')\ndb.execute(f'  insert INTO t VALUES ({marks})')\n"
                   "frame = pd.read_sql_query(query, db)\nhist.frame('select ' + cols + ' FROM t')\n"
                   "execute.execute(phase, out_dir)\nprint('Selected items')\n")
    found = sorted((int(f.split(" ", 1)[0].rsplit(":", 1)[1]), f.split(" ", 1)[1]) for f in runs_sql(src))
    assert found == [(1, "imports sqlite3"), (2, "imports sqlite3"), (3, "uses a history connection"),
                     (4, "runs SQL"), (5, "runs SQL"), (6, "runs SQL"), (7, "runs SQL")]


@pytest.mark.parametrize("path", [p for p in MODULES.values() if p != STORE], ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_history_store_runs_sql(path):
    assert runs_sql(path) == []
