"""The temporary copy builds edit and place files in: the user's tree is never touched."""

import hashlib

import pytest

from helpers.builds import workspace
from helpers.errors import DockoptError


def tree_hash(root):
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        h.update(str(p.relative_to(root)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("line,expected", [
    ("RUN --mount=type=cache,target=/root/.cache/pip pip install x",
     "RUN --mount=type=cache,target=/root/.cache/pip,id=ns-/root/.cache/pip pip install x"),
    ("RUN --mount=type=cache,id=pip,target=/c x", "RUN --mount=type=cache,id=ns-pip,target=/c x"),
    ("RUN --mount=type=secret,id=tok cat /run/secrets/tok", "RUN --mount=type=secret,id=tok cat /run/secrets/tok"),
    ("RUN --mount=target=/var/lib/apt,type=cache,sharing=locked \\",
     "RUN --mount=target=/var/lib/apt,type=cache,sharing=locked,id=ns-/var/lib/apt \\"),
])
def test_cache_mounts_get_a_namespace_and_nothing_else_changes(line, expected):
    assert workspace.namespace_cache_mounts(line, "ns") == expected


def test_edits_happen_in_the_copy_and_the_ignore_file_travels(tmp_path):
    ctx, dfdir = tmp_path / "ctx", tmp_path / "df"
    (ctx / "src").mkdir(parents=True)
    (ctx / "src" / "app.py").write_text("print(1)")
    dfdir.mkdir()
    (dfdir / "Dockerfile.opt").write_text("FROM x\nRUN --mount=type=cache,target=/c true\n")
    (dfdir / "Dockerfile.opt.dockerignore").write_text("docs\n")
    before = tree_hash(tmp_path)
    with workspace.copy_of(ctx, dfdir / "Dockerfile.opt") as ws:
        ws.append_line("src/app.py", "# changed")
        ws.set_cache_namespace("abc")
        assert (ws.context / "src" / "app.py").read_text() == "print(1)\n# changed\n"
        assert (ws.dockerfile.parent / "Dockerfile.opt.dockerignore").read_text() == "docs\n"
        assert "id=abc-/c" in ws.dockerfile.read_text()
        root = ws.root
    assert not root.exists()
    assert tree_hash(tmp_path) == before


@pytest.mark.parametrize("path,prefix", [("src/a.py", "# "), ("pyproject.toml", "# "),
                                         ("requirements.txt", "# "), ("main.go", "// "), ("x.css", "/* ")])
def test_change_lines_are_comments_in_the_files_language(path, prefix):
    line = workspace.change_line(path, "tok", "code")
    assert line.startswith(prefix) and "tok" in line


def test_a_file_without_comment_syntax_is_refused():
    with pytest.raises(DockoptError):
        workspace.change_line("package.json", "tok", "dependency")


@pytest.mark.parametrize("name, text, check", [
    ("app.py", "print(1)\n", lambda text: compile(text, "app.py", "exec")),
    ("index.js", "console.log(1);\n", lambda text: text.splitlines()[-1].startswith("// ")),
    ("page.html", "<p>x</p>\n", lambda text: text.splitlines()[-1].startswith("<!--")
     and text.rstrip().endswith("-->")),
    ("style.css", "a {}\n", lambda text: text.splitlines()[-1].startswith("/*") and text.rstrip().endswith("*/")),
])
def test_the_code_change_of_generated_variants_stays_valid_for_the_file_type(tmp_path, name, text, check):
    """Regression: the variants' code change appended a ``#`` comment to any file (a syntax error
    in JavaScript or CSS, a rebuild measured on a broken file). It is now the scenarios' edit."""
    (tmp_path / name).write_text(text)
    with workspace.context_copy(tmp_path) as ws:
        ws.place({"Dockerfile.phase1": "FROM x\n"})
        changed = ws.change_content(name, "tok123", "code")
        edited = changed.read_text()
        assert edited != text and "tok123" in edited and edited.startswith(text)
        check(edited)
        assert (ws.context / "Dockerfile.phase1").read_text() == "FROM x\n"
    assert (tmp_path / name).read_text() == text and not (tmp_path / "Dockerfile.phase1").exists()


def test_only_a_workspace_with_a_placed_dockerfile_rewrites_cache_mounts(tmp_path):
    with workspace.context_copy(tmp_path) as ws, pytest.raises(ValueError):
        ws.set_cache_namespace("abc")
