"""A Project from notebook parameters: the sample by default, any project otherwise."""

import subprocess
import sys
from pathlib import Path

import pytest

from helpers import sample
from helpers.builds import scratch
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


def small_project(tmp_path):
    ctx = tmp_path / "proj"
    ctx.mkdir()
    (ctx / "app.py").write_text("print(1)\n")
    (ctx / "requirements.txt").write_text("# none\n")
    (ctx / "Dockerfile").write_text("ARG BASE_IMAGE=dockopt/python:3.11-bookworm\nFROM ${BASE_IMAGE}\n"
                                    "WORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                                    "CMD [\"python\", \"app.py\"]\n")
    return ctx


def test_a_render_run_id_is_kept_and_labels_its_containers(tmp_path, monkeypatch):
    from helpers.engine import labels

    monkeypatch.delenv(labels.RENDER_ENV, raising=False)
    project = Project.from_parameters(context=str(small_project(tmp_path)), run_id="20261203T000000Z-abcdef")
    assert project.run_id == "20261203T000000Z-abcdef"
    assert labels.for_container()[labels.RENDER_LABEL] == "20261203T000000Z-abcdef"


def test_no_run_id_starts_a_new_one(tmp_path, monkeypatch):
    from helpers.engine import labels

    monkeypatch.delenv(labels.RENDER_ENV, raising=False)
    first = Project.from_parameters(context=str(small_project(tmp_path)))
    second = Project.from_parameters(context=str(tmp_path / "proj"))
    assert first.run_id and second.run_id and first.run_id != second.run_id
    assert labels.current_render() == second.run_id


def test_build_args_reach_every_variant_and_win_over_defaults(tmp_path):
    project = Project.from_parameters(context=str(small_project(tmp_path)), base_image="img:a",
                                      build_args="BASE_IMAGE=img:b\nPIP_INDEX=http://mirror/simple\n")
    assert project.build_args("original") == {"BASE_IMAGE": "img:b", "PIP_INDEX": "http://mirror/simple"}
    with pytest.raises(DockoptError, match="build_args: 'nonsense' is not KEY=VALUE"):
        Project.from_parameters(context=str(tmp_path / "proj"), build_args="nonsense")


def generate_only(monkeypatch):
    """derive_variants as it is, without the engine (build=False): where the files go is what is tested."""
    import helpers.variants as variants

    real = variants.derive_variants
    seen = {}

    def without_engine(context, dockerfile, out_dir, **kwargs):
        seen.update(kwargs, out_dir=out_dir)
        return real(context, dockerfile, out_dir, build=False)

    monkeypatch.setattr(variants, "derive_variants", without_engine)
    return seen


def test_derived_dockerfiles_go_under_the_report_folder_and_nothing_beside_the_history(tmp_path, monkeypatch):
    seen = generate_only(monkeypatch)
    ctx, history, report = small_project(tmp_path), tmp_path / "hist" / "history.sqlite", tmp_path / "report"
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    project = Project.from_parameters(context=str(ctx), history=str(history), report_dir=str(report),
                                      build_args="A=1", run_env="TOKEN=x", run_args="--port 80")
    phase2 = project.dockerfile_for("phase2")
    assert phase2 is not None and phase2.parent == report / "derived"
    assert project.variant_source["phase2"] == "derived"
    assert seen["build_args"] == {"A": "1"} and seen["run_env"] == {"TOKEN": "x"} and seen["run_args"] == ["--port", "80"]
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    new = set(after) - set(before)
    outside = {p for p in new if p.parts[0] != "report"}
    # besides the report, only the history file (it keeps the derivation for the render's other notebooks)
    assert {p.name for p in outside} <= {"hist", "history.sqlite", "history.sqlite-wal", "history.sqlite-shm"}, outside
    copy = project.context_for("phase2")
    assert not copy.is_relative_to(report) and (copy / "app.py").is_file()  # the source is not in the shared report


def test_without_a_report_folder_derived_files_go_to_a_dockopt_temporary_folder(tmp_path, monkeypatch):
    generate_only(monkeypatch)
    ctx = small_project(tmp_path)
    project = Project.from_parameters(context=str(ctx), history=str(tmp_path / "h.sqlite"))
    path = project.dockerfile_for("phase1")
    assert path is not None and not path.is_relative_to(tmp_path) and "dockopt-derived-" in str(path)
    # the next notebook (another kernel) finds the same folder by the derivation's key ...
    again = Project.from_parameters(context=str(ctx), history=str(tmp_path / "h.sqlite"))
    assert again.dockerfile_for("phase1") == path
    # ... `dockopt clean` leaves it while a render's kernel holds it ...
    removed, in_use = scratch.remove_unused()
    assert str(path.parent) in in_use and path.is_file()
    # ... and removes it with the rest of what dockopt made once no process uses it
    project.release_scratch()
    again.release_scratch()
    removed, in_use = scratch.remove_unused()
    assert str(path.parent) in removed and not path.parent.exists()


def test_clean_skips_a_scratch_folder_another_process_holds(tmp_path):
    folder = tmp_path / (scratch.PREFIX + "held")
    folder.mkdir()
    (folder / "Dockerfile.phase1").write_text("FROM scratch\n")
    free = tmp_path / (scratch.PREFIX + "free")
    free.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from helpers.builds import scratch; "
        f"fh = scratch.hold(Path({str(folder)!r})); print('held', flush=True); sys.stdin.read()")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout.readline().strip() == "held"
        removed, in_use = scratch.remove_unused(tmp_path)
        assert removed == [str(free)] and in_use == [str(folder)] and (folder / "Dockerfile.phase1").is_file()
    finally:
        holder.communicate("")
    assert scratch.remove_unused(tmp_path) == ([str(folder)], []) and not folder.exists()


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


def test_a_broken_derived_phase_is_not_built_but_its_findings_are_still_shown(tmp_path, monkeypatch):
    import helpers.variants as variants
    from helpers import study

    real = variants.derive_variants

    def phase2_broken(context, dockerfile, out_dir, **kwargs):
        results = real(context, dockerfile, out_dir, build=False)
        results[2].error = "BROKEN: the original starts but phase2 does not"
        return results

    monkeypatch.setattr(variants, "derive_variants", phase2_broken)
    project = Project.from_parameters(context=str(small_project(tmp_path)), history=str(tmp_path / "h.sqlite"),
                                      report_dir=str(tmp_path / "report"))
    assert project.dockerfile_for("phase2") is None and project.variant_source["phase2"].startswith("derived, but failed")
    result = study.lint(project, "phase2")  # the page still shows what the generated file would fix
    assert result.dockerfile == project.unusable_files["phase2"]
    project.variant_source["phase1"], project.variant_files["phase1"] = "not derived: refused", None
    with pytest.raises(DockoptError, match="no phase1 Dockerfile to lint: not derived: refused"):
        study.lint(project, "phase1")
