"""Image findings as JSON and as SARIF 2.1.0 (one run, rules with ids, results located in the image).

Kept apart from the Dockerfile SARIF of ``helpers/lint/formatters`` so the two can later be
merged: ``sarif_run`` returns a single run object that a combined log can append next to the
lint run (or whose rules and results can be folded into one run: rule ids do not collide,
image rules are ``SEC...``). A result's primary location is the path inside the image with
the layer as a logical location; when the Dockerfile line that made it is known, a second
location points at that line.
"""

from __future__ import annotations

import json

from helpers.security.finding import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
IMAGE_ROOT = "IMAGEROOT"  # uriBaseId for paths inside the image


def to_dict(report) -> dict:
    """Everything in a SecurityReport as plain JSON-ready data (findings, score, OS fixes, scanners)."""
    return {
        "image": report.image,
        "image_id": report.image_id,
        "score": report.score,
        "grade": report.grade,
        "counts": report.counts(),
        "breakdown": report.breakdown_rows,
        "findings": [f.as_dict() for f in report.finding_list],
        "os_fixes": {"scanned": report.os.scanned, "reason": report.os.reason, "index_url": report.os.index_url,
                     "index_date": report.os.index_date, "packages_checked": report.os.packages_checked,
                     "pending": [vars(p) for p in report.os.pending], "count": report.os.count},
        "scanners": report.scanners.to_dict(orient="records"),
        "not_run": report.not_run,
    }


def to_json(report, indent: int = 2) -> str:
    return json.dumps(to_dict(report), indent=indent, default=str)


def _locations(finding: Finding, image: str, dockerfile_uri: str | None) -> list[dict]:
    locations = []
    if finding.path:
        location = {"physicalLocation": {"artifactLocation": {"uri": finding.path.lstrip("/"), "uriBaseId": IMAGE_ROOT}}}
        if finding.layer is not None:
            location["logicalLocations"] = [{"name": f"layer {finding.layer}", "kind": "module",
                                             "fullyQualifiedName": f"{image}/layer/{finding.layer}"}]
        locations.append(location)
    elif finding.layer is not None:
        locations.append({"logicalLocations": [{"name": f"layer {finding.layer}", "kind": "module"}]})
    if finding.line is not None and dockerfile_uri:
        locations.append({"physicalLocation": {"artifactLocation": {"uri": dockerfile_uri},
                                               "region": {"startLine": finding.line}}})
    if not locations:  # image-config findings: the image itself is the location
        locations.append({"logicalLocations": [{"name": image, "kind": "module"}]})
    return locations


def sarif_run(report, rules, dockerfile_uri: str | None = None) -> dict:
    """One SARIF run object for one image's findings."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    results = []
    for finding in report.finding_list:
        results.append({
            "ruleId": finding.rule,
            "ruleIndex": index[finding.rule],
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message + (f" Evidence: {finding.evidence}" if finding.evidence else "")},
            "locations": _locations(finding, report.image, dockerfile_uri),
            "properties": {"severity": finding.severity, "layer": finding.layer, "deletedLater": finding.deleted_later,
                           "image": report.image},
        })
    return {
        "tool": {"driver": {
            "name": "dockopt-security",
            "informationUri": "https://github.com/dockopt/dockopt",
            "rules": [{"id": r.id, "name": r.name, "shortDescription": {"text": r.summary},
                       "defaultConfiguration": {"level": LEVELS[r.severity]},
                       "properties": {"severity": r.severity}} for r in rules],
        }},
        "originalUriBaseIds": {IMAGE_ROOT: {"description": {"text": f"root filesystem of image {report.image}"}}},
        "results": results,
        "properties": {"score": report.score, "grade": report.grade, "image": report.image},
    }


def to_sarif(report, dockerfile_uri: str | None = None) -> dict:
    from helpers.security.rules import all_rules

    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [sarif_run(report, all_rules(), dockerfile_uri)]}
