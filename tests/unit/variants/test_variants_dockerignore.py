"""dockerignore: patterns only for what the context holds, never hiding what the build reads."""

import pytest

from helpers.variants import dockerignore

FILES = {".git/HEAD": "ref", "tests/test_app.py": "", "docs/index.md": "", "OUTPUTS/run.csv": "",
         "models/w.safetensors": 2048, "models/README.md": "", "README.md": "", "NOTES.md": "",
         "app.py": "", "requirements.txt": "", ".env": "SECRET=1", "data/big.bin": 11 * 1024 * 1024}




def generated(tmp_path, dockerfile: str) -> list[str]:
    from variant_cases import make_context
    from helpers.variants.doc import Doc
    from helpers.variants.transform import Project

    make_context(tmp_path, {"Dockerfile": dockerfile, **FILES})
    doc = Doc.from_text(dockerfile)
    dockerignore.apply(doc, Project(tmp_path, tmp_path / "Dockerfile"))
    return [line for line in doc.dockerignore.splitlines() if not line.startswith("#")]


def test_excludes_what_the_context_holds(tmp_path):
    lines = generated(tmp_path, "FROM python\nCOPY . .\n")
    assert lines == [".git", "**/__pycache__", "**/*.pyc", "Dockerfile*", ".dockerignore", "OUTPUTS/", "docs/",
                     "tests/", "data/", "models/", "**/*.bin", "**/*.safetensors", "*.md", "!README.md", ".env"]


def test_never_hides_what_a_copy_names(tmp_path):
    lines = generated(tmp_path, "FROM python\nCOPY tests/ /app/tests/\nCOPY models/w.safetensors /m/\nCOPY . .\n")
    assert "tests/" not in lines and "models/" not in lines and "**/*.safetensors" not in lines
    assert "docs/" in lines


def test_keeps_the_users_own_patterns(tmp_path):
    (tmp_path / ".dockerignore").write_text("secrets/\n")
    assert generated(tmp_path, "FROM python\nCOPY . .\n")[0] == "secrets/"


@pytest.mark.parametrize("files, says", [
    ({"app.py": "x"}, "excludes Dockerfile*"),
    ({"app.py": "x", ".git/HEAD": "ref", "docs/a.md": "x"}, "excludes .git, Dockerfile*, docs/"),
])
def test_outcome_names_only_what_it_excludes(tmp_path, files, says):
    """Regression: "excludes VCS and bytecode" was said of a context holding neither."""
    from helpers.variants.doc import Doc
    from helpers.variants.transform import Project
    from variant_cases import make_context

    make_context(tmp_path, {"Dockerfile": "FROM python\nCOPY . .\n", **files})
    detail = dockerignore.apply(Doc.from_text("FROM python\nCOPY . .\n"), Project(tmp_path, tmp_path / "Dockerfile"))
    assert detail.endswith(says), detail
