"""A Project from notebook parameters: the sample by default, any project otherwise."""

import pytest

from helpers import sample
from helpers.errors import DockoptError
from helpers.paths import SAMPLE_CONTEXT, SAMPLE_DOCKERFILE
from helpers.project import Project, guess_code_file, guess_manifest


@pytest.mark.parametrize("params", [{}, {"context": str(SAMPLE_CONTEXT)},
                                    {"context": str(SAMPLE_CONTEXT), "dockerfile": str(SAMPLE_DOCKERFILE)}])
def test_the_sample_however_it_is_named(params):
    project = Project.from_parameters(**params)
    assert project.is_sample
    assert project.smoke == sample.SMOKE_COMMAND and project.code_file == sample.CODE_FILE
    assert project.variant_source["phase3"] == "reference"


def test_a_users_project(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.py").write_text("print(1)\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_main.py").write_text("")
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\n")
    project = Project.from_parameters(context=str(tmp_path), smoke_command="python -c 'import app'")
    assert not project.is_sample
    assert project.smoke == ["python", "-c", "import app"] and project.smoke_expect is None
    assert project.code_file == "app/main.py" and project.dependency_file == "requirements.txt"
    assert project.variant_source["phase1"] == "to be derived by dockopt"
    assert guess_manifest(tmp_path) == "requirements.txt" and guess_code_file(tmp_path) == "app/main.py"


def test_missing_inputs_are_clear_errors(tmp_path):
    with pytest.raises(DockoptError, match="is not a directory"):
        Project.from_parameters(context=str(tmp_path / "nope"))
    with pytest.raises(DockoptError, match="does not exist"):
        Project.from_parameters(context=str(tmp_path))
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    with pytest.raises(DockoptError, match="phase2_dockerfile"):
        Project.from_parameters(context=str(tmp_path), phase2_dockerfile=str(tmp_path / "missing"))


def _derived_project(tmp_path, monkeypatch):
    """A user project whose phases dockopt derives; phase 2 and 3 bring a constraints file, phase 1 none."""
    import helpers.variants as variants
    from helpers.variants import VariantResult

    ctx = tmp_path / "ctx"
    (ctx / "app").mkdir(parents=True)
    (ctx / "app" / "main.py").write_text("print(1)\n" * 50)
    (ctx / "requirements.txt").write_text("flask\n")
    (ctx / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY . /app\n")

    def fake_derive(context, dockerfile, out_dir, **kwargs):
        out_dir.mkdir(parents=True)
        constraints = out_dir / "constraints.txt"
        constraints.write_text("flask==3.0.0\n" * 100)
        results = [VariantResult("original", dockerfile, dockerfile.read_text())]
        for phase, files in (("phase1", []), ("phase2", [constraints]), ("phase3", [constraints])):
            path = out_dir / f"Dockerfile.{phase}"
            path.write_text("FROM python:3.11-slim\nCOPY . /app\n")
            results.append(VariantResult(phase, path, path.read_text(), files=list(files)))
        return results

    monkeypatch.setattr(variants, "derive_variants", fake_derive)
    return Project.from_parameters(context=str(ctx), history=str(tmp_path / "h" / "history.sqlite"))


def test_dockopt_files_count_only_for_the_variants_that_send_them(tmp_path, monkeypatch):
    from helpers.study import context_sizes

    project = _derived_project(tmp_path, monkeypatch)
    frame = context_sizes(project, ["original", "phase1", "phase2", "phase3"]).set_index("variant")
    assert project.not_sent("phase1") == {"constraints.txt"} and project.not_sent("phase2") == set()
    assert project.not_sent("original") == set()
    constraints = len("flask==3.0.0\n" * 100)
    assert frame.loc["phase1", "bytes"] == frame.loc["original", "bytes"]  # once original + constraints
    assert frame.loc["phase1", "files"] == frame.loc["original", "files"]
    assert frame.loc["phase2", "bytes"] == frame.loc["original", "bytes"] + constraints
    assert frame.loc["phase3", "bytes"] == frame.loc["phase2", "bytes"]
