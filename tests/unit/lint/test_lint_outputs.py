"""Formatters, pragmas, config, the CLI's exit codes, and the generated rule table."""

from __future__ import annotations

import json

import pytest

from helpers.cli import main
from helpers.lint import lint_dockerfile
from helpers.lint.config import ConfigError
from helpers.lint.docs import RULES_DOC, rules_markdown
from helpers.lint.formatters.sarif import to_sarif
from helpers.lint.formatters.table import to_table
from helpers.lint.registry import RULES
from helpers.paths import REFERENCE_VARIANTS, SAMPLE_CONTEXT, SAMPLE_DOCKERFILE


@pytest.fixture(scope="module")
def result():
    return lint_dockerfile(SAMPLE_DOCKERFILE)


def test_frame_has_one_row_per_finding_with_ordered_severity(result):
    frame = result.frame()
    assert len(frame) == len(result.findings)
    assert list(frame.columns[:4]) == ["code", "severity", "category", "line"]
    assert frame["severity"].cat.ordered and frame["line"].isna().sum() == 1  # DO601 has no line
    assert frame.loc[frame.code == "DO201", "line"].tolist() == [16]


def test_sarif_is_2_1_0_with_rules_for_every_result(result):
    log = to_sarif(result)
    assert log["version"] == "2.1.0" and "sarif-schema-2.1.0" in log["$schema"]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["level"] in {"error", "warning", "note", "none"}
        region = item["locations"][0]["physicalLocation"].get("region")
        assert region is None or region["startLine"] >= 1
    assert {r["ruleId"] for r in run["results"]} >= {"DO101", "DO601", "DL3008"}


def test_json_and_table_carry_every_finding(result):
    assert len(json.loads(__import__("helpers.lint.formatters", fromlist=["render"]).render(result, "json"))
               ["findings"]) == len(result.findings)
    table = to_table(result, width=200)
    warnings = len(result.at_or_above("warning"))  # 12, or 13 once `dockopt sample` made the weights
    assert "DO502+DL3009" in table and table.splitlines()[-1].startswith(f"{warnings} warning")


def test_pragma_silences_the_next_instruction_and_global_silences_everywhere(tmp_path):
    (tmp_path / ".dockerignore").write_text(".git\n")
    (tmp_path / "Dockerfile").write_text(
        "# dockopt global ignore=DO302\nFROM a:1\n# dockopt ignore=DO503, DL3015\n\n"
        "RUN apt-get install -y curl\nRUN apt-get install -y git\n")
    result = lint_dockerfile(tmp_path / "Dockerfile")
    assert [(f.code, f.line) for f in result.findings if f.code in ("DO503", "DO302")] == [("DO503", 6)]
    assert {(f.code, f.line) for f in result.suppressed} >= {("DO503", 5), ("DO302", 2)}


def test_config_disables_and_reweights_rules(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM a:1\nRUN apt-get install -y curl\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dockopt.lint]\ndisable = ["DO601", "DL3008"]\nseverity = { DO503 = "error" }\n')
    result = lint_dockerfile(tmp_path / "Dockerfile")
    codes = {f.code: f.severity for f in result.findings}
    assert "DO601" not in codes and "DL3008" not in codes and codes["DO503"] == "error"
    (tmp_path / ".dockopt.toml").write_text('[lint]\nseverity = { DO503 = "fatal" }\n')
    with pytest.raises(ConfigError, match="fatal"):
        lint_dockerfile(tmp_path / "Dockerfile")


def test_cli_exit_codes(tmp_path, capsys):
    phase3 = str(REFERENCE_VARIANTS / "Dockerfile.phase3")
    assert main(["lint", phase3, "--context", str(SAMPLE_CONTEXT)]) == 0
    assert main(["lint", phase3, "--context", str(SAMPLE_CONTEXT), "--fail-on", "info"]) == 1
    assert main(["lint", str(SAMPLE_DOCKERFILE), "--no-hadolint", "--format", "json"]) == 1
    assert main(["lint", str(SAMPLE_DOCKERFILE), "--fail-on", "never", "--format", "sarif"]) == 0
    (tmp_path / "Dockerfile").write_bytes(b"\x00\x01")
    assert main(["lint", str(tmp_path / "Dockerfile")]) == 2
    assert main(["lint", phase3, "--context", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "not a text file" in err and "missing is not a directory" in err


def test_rules_doc_is_generated_from_the_rules_and_up_to_date():
    text = rules_markdown()
    assert all(f"| {rule.CODE} |" in text for rule in RULES)
    assert RULES_DOC.read_text() == text, "run: python -m helpers.lint.docs"


def test_lint_is_well_under_100ms_in_process():
    """The in-process budget from issue 3; hadolint's own time on the same file is the peer figure."""
    import statistics
    import time

    times = []
    for _ in range(15):
        start = time.perf_counter()
        lint_dockerfile(SAMPLE_DOCKERFILE, hadolint=False)
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 0.1, times
