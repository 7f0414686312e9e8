"""Which files a build sends, and a digest that follows exactly those files."""

import pytest

from helpers.builds import context_digest as cd
from helpers.builds.context import is_ignored, parse_ignore


@pytest.mark.parametrize("path,patterns,expected", [
    ("tests/test_a.py", ["tests/"], True),
    ("src/tests/x.py", ["tests/"], False),
    ("a/b/__pycache__/m.pyc", ["**/__pycache__"], True),
    ("m.pyc", ["**/*.pyc"], True),
    ("README.md", ["*.md", "!README.md"], False),
    ("docs/x.md", ["*.md"], False),  # * does not cross /
    ("docs/x.md", ["docs"], True),
    ("Dockerfile.phase1", ["Dockerfile*"], True),
    ("keep.txt", ["*", "!keep.txt"], False),
    ("/abs.txt".lstrip("/"), ["/abs.txt"], True),
    ("models/w.bin", ["models/"], True),
])
def test_exclusion_follows_dockerignore_rules(path, patterns, expected):
    assert is_ignored(path, parse_ignore("\n".join(patterns))) is expected


def write(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_digest_changes_with_sent_content_not_with_ignored_files(tmp_path):
    write(tmp_path, {"app.py": "print(1)\n", "docs/a.md": "x", ".dockerignore": "docs\n"})
    before = cd.context_digest(tmp_path)
    (tmp_path / "docs" / "a.md").write_text("changed")
    assert cd.context_digest(tmp_path) == before
    (tmp_path / "app.py").write_text("print(2)\n")
    assert cd.context_digest(tmp_path) != before


def test_a_dockerfiles_own_ignore_file_wins_over_the_contexts(tmp_path):
    ctx, dfdir = tmp_path / "ctx", tmp_path / "df"
    write(ctx, {"app.py": "", "models/w.bin": "w", ".dockerignore": "app.py\n"})
    write(dfdir, {"Dockerfile.x": "FROM scratch\n", "Dockerfile.x.dockerignore": "models/\n"})
    assert cd.sent_files(ctx, dfdir / "Dockerfile.x") == [".dockerignore", "app.py"]
    assert cd.sent_files(ctx, dfdir / "Dockerfile.y") == [".dockerignore", "models/w.bin"]
