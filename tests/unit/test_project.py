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
