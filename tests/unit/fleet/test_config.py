"""The fleet file: paths relative to it, defaults, and mistakes named by file and line."""

from pathlib import Path

import pytest

from helpers.fleet.config import FleetFileError, load


def project(root: Path, name: str) -> Path:
    (root / name).mkdir(parents=True)
    (root / name / "Dockerfile").write_text("FROM scratch\n")
    return root / name


def write(root: Path, text: str) -> Path:
    (root / "fleet.yaml").write_text(text)
    return root / "fleet.yaml"


def test_projects_resolve_against_the_file_and_take_their_options(tmp_path):
    project(tmp_path, "api")
    (tmp_path / "api" / "Dockerfile.p1").write_text("FROM scratch\n")
    fleet = load(write(tmp_path, """repeats: 2
projects:
  - name: Api Service
    context: api
    smoke: python -c 'import app'
    run_env: {DATABASE_URL: "sqlite://", DEBUG: "0"}
    run_args: --port 8080
    build_args: [PIP_INDEX_URL=https://example.invalid/simple]
    phase1: api/Dockerfile.p1
    phases: baseline,summary
"""))
    spec = fleet.projects[0]
    assert fleet.repeats == 2 and spec.context == tmp_path / "api" and spec.dockerfile == tmp_path / "api" / "Dockerfile"
    assert spec.slug == "api-service" and spec.line == 3
    assert spec.run_env == {"DATABASE_URL": "sqlite://", "DEBUG": "0"} and spec.run_args == ["--port", "8080"]
    assert spec.build_args == {"PIP_INDEX_URL": "https://example.invalid/simple"}
    assert spec.phase_files == {"phase1": tmp_path / "api" / "Dockerfile.p1"} and spec.phases == ["baseline", "summary"]


@pytest.mark.parametrize("text, expected", [
    ("projects:\n  - context: missing\n", "fleet.yaml, line 2: context"),
    ("projects:\n  - context: api\n    colour: red\n", "fleet.yaml, line 3: unknown project key 'colour'"),
    ("projects:\n  - context: api\n    run_env: [NOEQUALS]\n", "line 3: run_env entry 'NOEQUALS' is not KEY=VALUE"),
    ("projects:\n  - context: api\n    repeats: zero\n", "line 3: repeats must be a whole number"),
    ("projects: [\n", "fleet.yaml, line 2: not valid YAML"),
    ("projects: []\n", "needs a non-empty projects: list"),
    ("projects:\n  - context: api\n  - context: api\n", "line 3: project 'api' has the same folder name (api) as the one on line 2"),
    ("project:\n  - context: api\n", "line 1: unknown key 'project'"),
])
def test_mistakes_name_the_file_and_line(tmp_path, text, expected):
    project(tmp_path, "api")
    with pytest.raises(FleetFileError) as error:
        load(write(tmp_path, text))
    assert expected in error.value.message


def test_a_missing_dockerfile_is_named(tmp_path):
    (tmp_path / "bare").mkdir()
    with pytest.raises(FleetFileError, match=r"line 2: .*bare/Dockerfile does not exist"):
        load(write(tmp_path, "projects:\n  - context: bare\n"))
