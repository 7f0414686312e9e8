"""`dockopt report` and `optimize` options: --build-arg, --run-env, --run-arg reach the notebooks as they were given."""

import shlex

import pytest

from helpers.cli import build_parser
from helpers.commands import report_cmd, run_options
from helpers.errors import DockoptError
from helpers.project import Project, parse_pairs

FIXTURE_ARGS = ["--context", "tests/fixtures/report_tiny"]


def report_params(*extra):
    return report_cmd.params_from_args(build_parser("report").parse_args(["report", *FIXTURE_ARGS, *extra]))


def test_report_passes_build_args_run_env_and_run_args_to_the_notebooks():
    params = report_params("--build-arg", "BASE_IMAGE=img:1", "--build-arg", "EXTRA=a=b",
                           "--run-env", "DATABASE_URL=sqlite:///x.db", "--run-env", "EMPTY=",
                           "--run-arg=--port", "--run-arg", "8000", "--run-arg", "two words")
    assert parse_pairs(params.build_args, "build_args") == {"BASE_IMAGE": "img:1", "EXTRA": "a=b"}
    assert parse_pairs(params.run_env, "run_env") == {"DATABASE_URL": "sqlite:///x.db", "EMPTY": ""}
    assert shlex.split(params.run_args) == ["--port", "8000", "two words"]
    notebook = params.as_parameters(report_cmd.Path("/tmp/out"))
    assert {"build_args", "run_env", "run_args", "run_id"} <= set(notebook)
    project = Project.from_parameters(context=params.context, build_args=params.build_args, run_env=params.run_env,
                                      run_args=params.run_args, run_id="r")
    assert project.user_build_args == {"BASE_IMAGE": "img:1", "EXTRA": "a=b"}
    assert project.run_env == {"DATABASE_URL": "sqlite:///x.db", "EMPTY": ""}
    assert project.run_args == ["--port", "8000", "two words"]


def test_no_options_mean_empty_parameters():
    params = report_params()
    assert (params.build_args, params.run_env, params.run_args, params.run_id) == ("", "", "", "")


@pytest.mark.parametrize("flag,value", [("--build-arg", "NOEQUALS"), ("--run-env", "=value"), ("--build-arg", "A=b\nc")])
def test_a_malformed_pair_is_a_clear_error_naming_the_flag(flag, value):
    with pytest.raises(DockoptError, match=f"{flag} .* is not KEY=VALUE"):
        report_params(flag, value)


def test_optimize_takes_the_same_options():
    args = build_parser("optimize").parse_args(["optimize", "--context", "x", "--out", "y", "--build-arg", "A=1",
                                                 "--run-env", "B=2", "--run-arg=--flag"])
    assert args.build_arg == ["A=1"] and args.run_env == ["B=2"] and args.run_arg == ["--flag"]


def test_pairs_and_words_round_trip():
    assert run_options.pairs(["A=1", "B="], "--x") == {"A": "1", "B": ""}
    assert shlex.split(run_options.as_words(["a b", "'q'", "$HOME"])) == ["a b", "'q'", "$HOME"]
