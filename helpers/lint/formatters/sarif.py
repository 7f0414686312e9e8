"""Findings as SARIF 2.1.0, the format code-scanning UIs (GitHub, GitLab, VS Code) import.

Every rule a result cites is described in ``tool.driver.rules`` (ours from the registry,
hadolint's by code with a link), and results point at it by ``ruleId`` and ``ruleIndex``.
Findings about the context (no line) get a location without a region: SARIF requires
``startLine >= 1`` when a region is given.
"""

from __future__ import annotations

import json
from pathlib import Path

from helpers import __version__
from helpers.lint.registry import BY_CODE

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note", "style": "note"}


def _rule(code: str) -> dict:
    rule = BY_CODE.get(code)
    if rule is None:
        return {"id": code, "name": code, "shortDescription": {"text": f"hadolint {code}"},
                "helpUri": f"https://github.com/hadolint/hadolint/wiki/{code}"}
    return {"id": code, "name": rule.__name__.rsplit(".", 1)[-1],
            "shortDescription": {"text": rule.TITLE}, "fullDescription": {"text": rule.WHY},
            "help": {"text": rule.FIX}, "defaultConfiguration": {"level": LEVEL[rule.SEVERITY]},
            "properties": {"category": rule.CATEGORY}}


def _results(result, index: dict[str, int]) -> list[dict]:
    uri = Path(result.dockerfile).as_posix()
    results = []
    for f in result.findings:
        location = {"physicalLocation": {"artifactLocation": {"uri": uri}}}
        if f.line:
            location["physicalLocation"]["region"] = {"startLine": f.line, "startColumn": max(f.column, 1)}
        results.append({
            "ruleId": f.code, "ruleIndex": index[f.code], "level": LEVEL[f.severity],
            "message": {"text": f"{f.message}. Fix: {f.fix}" if f.fix else f.message},
            "locations": [location],
            "properties": {"category": f.category, "sources": list(f.sources), "severity": f.severity},
        })
    return results


def to_sarif(result) -> dict:
    """One run for a LintResult (one file) or a LintBatch (every file; files that could not be linted
    are the invocation's error notifications)."""
    results = getattr(result, "results", [result])
    codes = list(dict.fromkeys(f.code for r in results for f in r.findings))
    index = {code: n for n, code in enumerate(codes)}
    run = {
        "tool": {"driver": {"name": "dockopt", "version": __version__,
                            "rules": [_rule(code) for code in codes]}},
        "results": [item for r in results for item in _results(r, index)],
    }
    errors = getattr(result, "errors", None)
    if errors is not None:
        run["invocations"] = [{
            "executionSuccessful": not errors,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": e.message},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": Path(e.dockerfile).as_posix()}}}]}
                for e in errors],
        }]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def to_sarif_text(result) -> str:
    return json.dumps(to_sarif(result), indent=2)
