"""Static validation of generated Dockerfiles, and `dockopt optimize --no-build` end to end."""

import pytest

from variant_cases import make_context
from helpers import cli
from helpers.errors import DockoptError
from helpers.paths import ROOT
from helpers.variants.doc import Doc, Step
from helpers.variants.transform import Project
from helpers.variants.validate import problems


@pytest.mark.parametrize("dockerfile, ignore, expected", [
    ("FROM python\nCOPY app.py .\n", None, []),
    ("FROM python\nCOPY missing.py .\n", None, ["COPY missing.py: no such path in the build context"]),
    ("FROM python\nCOPY docs/ /docs/\n", "docs/\n", ["COPY docs/: excluded by the ignore file"]),
    ("FROM python\nCOPY --from=builder /opt/venv /opt/venv\n", None,
     ["`COPY --from=builder /opt/venv /opt/venv` copies from a stage not defined before it"]),
    ("FROM python AS builder\nFROM python\nCOPY --from=builder /opt/venv /opt/venv\n", None, []),
])
def test_problems(tmp_path, dockerfile, ignore, expected):
    make_context(tmp_path, {"Dockerfile": dockerfile, "app.py": "", "docs/a.md": ""})
    doc = Doc.from_text(dockerfile)
    doc.dockerignore = ignore
    assert problems(doc, Project(tmp_path, tmp_path / "Dockerfile")) == expected


def test_optimize_writes_variants_and_prints_what_was_applied_and_skipped(tmp_path, capsys):
    context = ROOT / "tests" / "fixtures" / "projects" / "flask_app"
    code = cli.main(["optimize", "--context", str(context), "--out", str(tmp_path), "--no-build"])
    out = capsys.readouterr().out
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Dockerfile.phase1", "Dockerfile.phase1.dockerignore", "Dockerfile.phase2", "Dockerfile.phase2.dockerignore",
        "Dockerfile.phase3", "Dockerfile.phase3.dockerignore"]
    assert "  applied  multistage [DO102, DO101]: builder stage installs into /opt/venv" in out
    assert "  skipped  pin_deps: skipped: needs the original image's `pip freeze --all`" in out


def test_text_the_parser_rejects_is_a_problem(tmp_path):
    make_context(tmp_path, {"Dockerfile": "FROM python\n"})
    doc = Doc.from_text("FROM python\n")
    broken = Step.parse("RUN echo")
    broken.commands, broken.value = None, ("<<EOF",)
    doc.final.instructions.append(broken)
    found = problems(doc, Project(tmp_path, tmp_path / "Dockerfile"))
    assert len(found) == 1 and "BuildKit's parser rejects this file: unterminated heredoc" in found[0]


def test_an_original_with_heredocs_is_refused_with_the_reason(tmp_path):
    from helpers.errors import DockoptError
    from helpers.variants import generate

    make_context(tmp_path, {"Dockerfile": "FROM python\nRUN <<EOF\necho hi\nEOF\n"})
    with pytest.raises(DockoptError, match="heredoc"):
        generate(Project(tmp_path, tmp_path / "Dockerfile"), tmp_path / "out")


def test_a_code_file_without_comment_syntax_is_refused_before_anything_is_built(tmp_path, monkeypatch):
    from helpers.variants import derive_variants, verify

    monkeypatch.setattr(verify, "build", lambda *a, **k: pytest.fail("built before the code file was refused"))
    (tmp_path / "package.json").write_text("{}\n")
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    with pytest.raises(DockoptError, match="package.json"):
        derive_variants(tmp_path, tmp_path / "Dockerfile", tmp_path / "out", code_file="package.json")
