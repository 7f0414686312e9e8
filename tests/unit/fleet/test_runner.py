"""The ``dockopt report`` command line each project gets (the report itself runs unchanged)."""

from pathlib import Path

import pytest

from helpers.errors import DockoptError
from helpers.fleet.config import ProjectSpec
from helpers.fleet.runner import report_argv, report_options


def spec(**kw) -> ProjectSpec:
    return ProjectSpec(name="api", context=Path("/src/api"), dockerfile=Path("/src/api/Dockerfile"), line=2, **kw)


def test_options_of_todays_report_are_passed():
    argv = report_argv(spec(smoke="python -c 'import app'", code_file="app.py",
                            phase_files={"phase2": Path("/src/api/D2")}, phases=["baseline", "summary"]),
                       Path("/out/api"), Path("/out/history/e/history.sqlite"), repeats=1)
    text = " ".join(argv)
    assert argv[1:4] == ["-m", "helpers.cli", "report"]
    for part in ("--context /src/api", "--name api", "--out /out/api", "--history /out/history/e/history.sqlite",
                 "--repeats 1", "--code-file app.py", "--phase2 /src/api/D2", "--phases baseline,summary"):
        assert part in text
    assert argv[argv.index("--smoke") + 1] == "python -c 'import app'"
    assert {"--context", "--history", "--smoke", "--phase1"} <= report_options()


def test_report_options_are_the_ones_dockopt_report_takes():
    """Read from the report command itself (no import of helpers.cli, which would be a cycle), so
    they must stay what the full parser gives."""
    from helpers.cli import build_parser

    parser = build_parser("report")
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert report_options() == {o for a in sub.choices["report"]._actions for o in a.option_strings}


def test_run_options_need_a_report_that_takes_them():
    project = spec(run_env={"DATABASE_URL": "sqlite://"})
    with pytest.raises(DockoptError, match="sets run_envs, but this dockopt's report has no --run-env"):
        report_argv(project, Path("/o"), Path("/h"), 1, options={"--context"})
    argv = report_argv(spec(run_env={"A": "1"}, run_args=["--port", "8"], build_args={"B": "2"}), Path("/o"),
                       Path("/h"), 1, options={"--run-env", "--run-arg", "--build-arg"})
    text = " ".join(argv)
    assert "--build-arg B=2" in text and "--run-env A=1" in text and "--run-arg --port --run-arg 8" in text
