"""The temporary copy scenarios edit: the user's tree is never touched."""

import hashlib

import pytest

from helpers.builds import workspace


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
