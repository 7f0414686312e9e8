"""The whole scan of the planted fixture: report, score, SBOM, JSON/SARIF export and the CLI."""

from __future__ import annotations

import json
import re

import pytest

from helpers import cli
from helpers.security import export, os_fixes, score
from helpers.security.finding import Finding
from helpers.security.rules import all_rules
from helpers.security.scan import scan_archive
from tests.unit.security.conftest import PLANTED_DOCKERFILE


def test_planted_report_finds_every_planted_problem(planted_report):
    rules = set(planted_report.findings["rule"])
    assert {"SEC001", "SEC002", "SEC003", "SEC005", "SEC006", "SEC007", "SEC008", "SEC009", "SEC010",
            "SEC012", "SEC013", "SEC016"} <= rules
    assert planted_report.grade == "F"  # a secret in any layer grades F whatever the points
    assert planted_report.counts()["critical"] >= 4


def test_os_fixes_scanned_against_the_recorded_index(planted_report):
    assert planted_report.os.scanned and planted_report.os.packages_checked == 9
    assert set(planted_report.os_fixes["package"]) == {"libexpat1", "libpam0g", "libpython3.11-minimal", "libssl3",
                                                       "python3.11-minimal", "tzdata"}
    row = planted_report.scanners.set_index("name").loc["debian-security-index"]
    assert row["status"] == "scanned" and row["vulnerabilities"] == 6


def test_without_an_index_the_report_says_not_scanned(planted_tar):
    report = scan_archive(planted_tar, "planted", index=None)
    assert not report.os.scanned and report.os.count is None
    row = report.scanners.set_index("name").loc["debian-security-index"]
    assert row["status"] == "skipped" and row["vulnerabilities"] is None
    assert "base_pin" in report.not_run and "runtime_uid" in report.not_run
    assert "SEC016" not in set(report.findings["rule"])


def test_external_scanners_are_skipped_with_a_reason_never_zero(planted_report):
    for row in planted_report.scanner_list:
        assert row.status in ("scanned", "skipped", "failed") and row.reason
        if row.status != "scanned":
            assert row.vulnerabilities is None


def test_pending_fixes_never_flag_a_newer_installed_version():
    from helpers.security.dpkg_status import DebPackage

    installed = [DebPackage("a", "2.0-1", "amd64", "a", "2.0-1"), DebPackage("b", "1.0-1", "amd64", "b", "1.0-1")]
    assert [p.package for p in os_fixes.pending_fixes(installed, {"a": ("1.0-1", "a"), "b": ("1.0-1+deb12u1", "b")})] == ["b"]


def test_sbom_is_cyclonedx_1_5_with_python_and_debian_components(planted_report):
    bom = planted_report.sbom
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.5" and bom["version"] == 1
    assert re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", bom["serialNumber"])
    purls = {c["purl"] for c in bom["components"]}
    assert {"pkg:pypi/requests@2.31.0", "pkg:pypi/six@1.16.0"} <= purls
    assert "pkg:deb/debian/libssl3@3.0.20-1~deb12u2?arch=amd64&distro=debian-12" in purls
    assert not any("not-this" in p for p in purls)  # METADATA body lines are not headers
    assert len({c["bom-ref"] for c in bom["components"]}) == len(bom["components"])


@pytest.mark.parametrize("findings, points, grade", [
    ([], 100, "A"),
    ([Finding("SEC010", "low", "")], 95, "A"),
    ([Finding("SEC001", "high", "")], 80, "B"),
    ([Finding("SEC002", "low", "")] * 30, 92, "A"),  # capped at 8
    ([Finding("SEC007", "critical", "")], 70, "F"),  # a secret overrides the points
    ([Finding("SEC011", "info", "")] * 5, 100, "A"),
])
def test_score_table(findings, points, grade):
    got_points, got_grade, breakdown = score.score(findings)
    assert (got_points, got_grade) == (points, grade)
    assert 100 - sum(row["deducted"] for row in breakdown) == points


def test_every_rule_has_a_weight_and_unknown_rules_are_refused():
    assert {rule.id for rule in all_rules()} == set(score.WEIGHTS)
    with pytest.raises(KeyError):
        score.score([Finding("NOPE", "low", "")])


def test_committed_score_doc_is_current():
    assert score.DOC.read_text() == score.render_doc(), "run helpers.security.score.write_doc()"


def test_sarif_export_is_consistent(planted_report):
    log = export.to_sarif(planted_report, "Dockerfile")
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(planted_report.finding_list)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("none", "note", "warning", "error") and result["locations"]
    [key] = [r for r in run["results"] if r["ruleId"] == "SEC007" and r["properties"]["deletedLater"]]
    image_loc, dockerfile_loc = key["locations"]
    assert image_loc["physicalLocation"]["artifactLocation"] == {"uri": "root/.ssh/id_ed25519", "uriBaseId": "IMAGEROOT"}
    assert dockerfile_loc["physicalLocation"]["region"]["startLine"] == 18


def test_json_export_round_trips(planted_report):
    data = json.loads(export.to_json(planted_report))
    assert data["grade"] == planted_report.grade and data["os_fixes"]["count"] == 6
    assert len(data["findings"]) == len(planted_report.finding_list)


def test_cli_scans_a_tarball_as_sarif_and_writes_the_sbom(planted_tar, tmp_path, capsys):
    sbom = tmp_path / "bom.json"
    code = cli.main(["scan", str(planted_tar), "--dockerfile", str(PLANTED_DOCKERFILE), "--format", "sarif",
                     "--sbom", str(sbom), "--fail-under", "50", "--no-index"])
    log = json.loads(capsys.readouterr().out)
    assert code == 1  # the planted image scores below 50
    assert log["runs"][0]["results"] and json.loads(sbom.read_text())["bomFormat"] == "CycloneDX"
    assert not any(r["ruleId"] == "SEC016" for r in log["runs"][0]["results"])  # index not fetched: no claim


def test_a_scanner_that_did_not_run_never_reads_nan(planted_report):
    """Mixed counts and None once became NaN in the scanners frame: "skipped: nan found"."""
    from helpers.commands.scan_cmd import _table

    skipped = planted_report.scanners[planted_report.scanners["status"] != "scanned"]
    assert len(skipped) and all(v is None for v in skipped["vulnerabilities"])
    table = _table(planted_report)
    scanner_lines = [line for line in table.splitlines() if line.startswith("scanner ")]
    assert scanner_lines and not any("nan" in line.lower() for line in scanner_lines), table
    assert "scanner debian-security-index: scanned: 6 found" in table
    exported = json.loads(export.to_json(planted_report))
    assert all(s["vulnerabilities"] is None for s in exported["scanners"] if s["status"] != "scanned")
