"""The budget each phase notebook closes with: what must hold, as value-vs-limit lines.

The limits come from the product's promises (issue tracker) rather than the seed's claims,
which the summary notebook compares separately.
"""

from __future__ import annotations

from helpers.lint.rules import base_not_digest_pinned, no_cache_mount, unpinned_manifest, unpinned_pip_install
from helpers.report.budgets import Budget, evaluate_all, report

# the findings a budget counts, named by the rule that makes them (its module's CODE)
UNPINNED = (unpinned_pip_install.CODE, unpinned_manifest.CODE)
NO_CACHE_MOUNT = no_cache_mount.CODE
BASE_NOT_PINNED = base_not_digest_pinned.CODE

DEPENDENCY_INSTALL = ("pip install", "pip3 install", "poetry install", "uv sync", "uv pip install")

BASELINE = [
    Budget("original_builds", "==", True, "the original Dockerfile builds here"),
    Budget("original_starts", "==", True, "the original starts as it ships (own ENTRYPOINT/CMD) and passes its check"),
]
PHASE1 = [
    Budget("phase1_builds", "==", True, "the phase-1 variant builds here"),
    Budget("phase1_starts", "==", True, "the phase-1 image starts as it ships and passes its check"),
    Budget("phase1_smoke", "==", True, "the phase-1 image passes the smoke command"),
    Budget("phase1_build_tools", "==", 0, "no compiler, make or cmake in the phase-1 runtime"),
    Budget("phase1_size_ratio", "<=", 1.0, "phase 1 is no larger than the original (size ratio)"),
    Budget("phase1_code_change_reinstalls", "==", False, "a code change does not re-run the dependency install"),
    Budget("phase1_context_ratio", "<=", 1.0, "the build context sent is no larger than before"),
]
PHASE2 = [
    Budget("phase2_builds", "==", True, "the phase-2 variant builds here"),
    Budget("phase2_starts", "==", True, "the phase-2 image starts as it ships, as its new user"),
    Budget("phase2_uid", ">", 0, "the running container's uid is not root"),
    Budget("phase2_healthy", "==", True, "a started container reaches `healthy`"),
    Budget("phase2_unpinned_findings", "==", 0, f"no unpinned-dependency findings ({', '.join(UNPINNED)})"),
    Budget("phase2_cache_mount_findings", "==", 0, f"every package-manager step keeps its cache in a BuildKit cache mount ({NO_CACHE_MOUNT})"),
    Budget("phase2_deps_change_reinstalls", "==", True, "the dependency-change rebuild re-ran the install (it measured what it claims)"),
]
PHASE3 = [
    Budget("phase3_builds", "==", True, "the phase-3 variant builds here"),
    Budget("phase3_starts", "==", True, "the phase-3 image starts as it ships, as its new user"),
    Budget("phase3_digest_pinned", "==", True, "every FROM is pinned by digest"),
    Budget("phase3_size_ratio", "<=", 0.5, "phase 3 is at least 50% smaller than the original"),
    Budget("phase3_build_tools", "==", 0, "no compiler, make or cmake in the runtime"),
    Budget("phase3_uid", ">", 0, "runs as a non-root uid"),
    Budget("phase3_warnings", "==", 0, "no warning-level findings left"),
]
SUMMARY = [
    Budget("starts", "==", True, "the optimized image starts as it ships"),
    Budget("size_ratio", "<=", 0.5, "optimized image at least 50% smaller than the original"),
    Budget("code_change_speedup", ">=", 10, "code-change rebuild at least 10x faster (medians)"),
    Budget("build_tools", "==", 0, "no compiler in the optimized runtime"),
    Budget("uid", ">", 0, "optimized image runs as non-root"),
    Budget("warnings", "==", 0, "no warning-level findings left in the optimized Dockerfile"),
]


def check(budgets: list[Budget], values: dict) -> str:
    return report(evaluate_all(budgets, values))


# The values each budget reads, from what the notebooks measured ----------------------------

def _tools(measured, variant):
    report = measured.images.get(variant)
    return len(report.build_tools.binaries) if report else None


def _uid(measured, variant):
    return (measured.runtime.get(variant) or {}).get("actual_uid")


def _starts(measured, variant):
    """Whether the image started as it ships passed its check (None: not checked)."""
    ships = (measured.runtime.get(variant) or {}).get("ships")
    return bool(ships["ok"]) if ships else None


def _ratio(a, b):
    # exact: a budget compares the value itself, never a rounded one (1.0004 <= 1 fails)
    return a / b if a is not None and b else None


def _size(measured, variant):
    report = measured.images.get(variant)
    return report.sizes.uncompressed_bytes if report else None


def reinstalls(measured, variant: str, scenario: str = "code") -> bool | None:
    """Whether the scenario's rebuild re-ran a dependency install step."""
    row = measured.timings[(measured.timings["variant"] == variant) & (measured.timings["scenario"] == scenario)]
    if row.empty or row["status"].iloc[0] != "ok":
        return None
    return any(any(cmd in step for cmd in DEPENDENCY_INSTALL) for step in row["ran_steps"].iloc[0])


def warnings(lint_result) -> int:
    return len(lint_result.at_or_above("warning"))


def baseline(findings, measured) -> str:
    return check(BASELINE, {"original_builds": "original" in measured.images,
                            "original_starts": _starts(measured, "original")})


def phase1(measured, contexts) -> str:
    sent = dict(zip(contexts["variant"], contexts["bytes"])) if len(contexts) else {}
    smoke = (measured.runtime.get("phase1") or {}).get("smoke")
    return check(PHASE1, {
        "phase1_builds": "phase1" in measured.images,
        "phase1_starts": _starts(measured, "phase1"),
        "phase1_smoke": smoke["ok"] if smoke else None,
        "phase1_build_tools": _tools(measured, "phase1"),
        "phase1_size_ratio": _ratio(_size(measured, "phase1"), _size(measured, "original")),
        "phase1_code_change_reinstalls": reinstalls(measured, "phase1"),
        "phase1_context_ratio": _ratio(sent.get("phase1"), sent.get("original")),
    })


def phase2(measured, lint_phase2) -> str:
    run = measured.runtime.get("phase2") or {}
    unpinned = [f for f in lint_phase2.findings if f.code in UNPINNED]
    return check(PHASE2, {
        "phase2_builds": "phase2" in measured.images,
        "phase2_starts": _starts(measured, "phase2"),
        "phase2_uid": run.get("actual_uid"),
        "phase2_healthy": (run.get("health") == "healthy") if run else None,
        "phase2_unpinned_findings": len(unpinned),
        "phase2_cache_mount_findings": len([f for f in lint_phase2.findings if f.code == NO_CACHE_MOUNT]),
        "phase2_deps_change_reinstalls": reinstalls(measured, "phase2", "deps"),
    })


def phase3(measured, lint_phase3) -> str:
    return check(PHASE3, {
        "phase3_builds": "phase3" in measured.images,
        "phase3_starts": _starts(measured, "phase3"),
        "phase3_digest_pinned": not any(f.code == BASE_NOT_PINNED for f in lint_phase3.findings),
        "phase3_size_ratio": _ratio(_size(measured, "phase3"), _size(measured, "original")),
        "phase3_build_tools": _tools(measured, "phase3"),
        "phase3_uid": _uid(measured, "phase3"),
        "phase3_warnings": warnings(lint_phase3),
    })


def summary(measured, lint_optimized, optimized: str = "phase3") -> str:
    before, after = measured.median("original", "code"), measured.median(optimized, "code")
    return check(SUMMARY, {
        "starts": _starts(measured, optimized),
        "size_ratio": _ratio(_size(measured, optimized), _size(measured, "original")),
        "code_change_speedup": before / after if before and after else None,
        "build_tools": _tools(measured, optimized),
        "uid": _uid(measured, optimized),
        "warnings": warnings(lint_optimized),
    })
