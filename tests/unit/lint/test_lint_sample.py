"""The sample's original Dockerfile, the seed's own, and the reference phases, linted for real."""

from __future__ import annotations

import shutil

import pytest

from helpers.lint import lint_dockerfile
from helpers.paths import REFERENCE_VARIANTS, SAMPLE_CONTEXT, SAMPLE_DOCKERFILE, SEED_DOCKERFILE

# Seed "Current Dockerfile Issues" and "Additional Best Practices" -> (code, line) in dockerfiles/snsw/Dockerfile
SAMPLE_SEED_ISSUES = {
    "1 no multi-stage build": ("DO102", 4),
    "1/3/5 build tools in final image": ("DO101", 10),
    "2 COPY src/ before pip install": ("DO201", 16),
    "2/5 duplicate COPY (COPY . .)": ("DO202", 20),
    "3 running as root": ("DO301", 4),
    "3 no image signature verification (digest)": ("DO302", 4),
    "4 no BuildKit cache mount (apt)": ("DO401", 10),
    # lines 17-18 are one RUN: `pip install -U pip setuptools wheel && \` then `pip install .`, which
    # installs the dependencies: findings about that install point at line 18 (issue 15)
    "4 no BuildKit cache mount (pip)": ("DO401", 18),
    "4 pip cache disabled, not leveraged": ("DO402", 18),
    "5 apt cache not cleaned in the same layer": ("DO502", 10),
    "b combine RUN commands": ("DO603", 11),
    "c --no-install-recommends": ("DO503", 10),
    "d pin Python packages (Dockerfile: the installer upgrade)": ("DO607", 17),
    "d pin Python packages (pyproject.toml)": ("DO605", 18),
    "e health check": ("DO606", 4),
    "a .dockerignore": ("DO601", None),
}
SEED_OWN_ISSUES = {  # dockerfiles/seed-original/Dockerfile (no project context beside it)
    "DO102": 5, "DO101": 11, "DO201": 17, "DO202": 23, "DO301": 5, "DO302": 5, "DO401": 11,
    "DO402": 19, "DO607": 18, "DO502": 11, "DO603": 12, "DO503": 11, "DO604": 20, "DO606": 5, "DO601": None,
}


@pytest.fixture(scope="module")
def sample_result():
    return lint_dockerfile(SAMPLE_DOCKERFILE, hadolint=False)


@pytest.mark.parametrize("issue", list(SAMPLE_SEED_ISSUES))
def test_sample_original_has_every_seed_issue_at_its_line(sample_result, issue):
    assert SAMPLE_SEED_ISSUES[issue] in {(f.code, f.line) for f in sample_result.findings}


def test_seed_own_dockerfile_has_the_seed_issues():
    found = {(f.code, f.line) for f in lint_dockerfile(SEED_DOCKERFILE, hadolint=False).findings}
    assert set(SEED_OWN_ISSUES.items()) <= found
    assert ("DO604", 20) in found  # TTS peft ... unpinned, transformers==4.35.2 is not
    message = next(f.message for f in lint_dockerfile(SEED_DOCKERFILE, hadolint=False).findings
                   if (f.code, f.line) == ("DO604", 20))
    assert "TTS" in message and "transformers" not in message


@pytest.mark.parametrize("hadolint", [False, True])
def test_phase3_has_nothing_at_warning_or_above(hadolint):
    result = lint_dockerfile(REFERENCE_VARIANTS / "Dockerfile.phase3", context=SAMPLE_CONTEXT, hadolint=hadolint)
    assert result.at_or_above("warning") == []
    assert not hadolint or result.hadolint.error == ""


def test_phases_fix_what_they_claim_to_fix():
    def codes(name):
        return {f.code for f in lint_dockerfile(REFERENCE_VARIANTS / name, context=SAMPLE_CONTEXT,
                                                hadolint=False).findings}

    phase1, phase2 = codes("Dockerfile.phase1"), codes("Dockerfile.phase2")
    assert not {"DO101", "DO102", "DO201", "DO202", "DO502", "DO503", "DO601", "DO602"} & phase1
    assert {"DO401", "DO301", "DO606", "DO605", "DO302"} <= phase1  # phase 2 and 3 work, still to do
    assert not {"DO401", "DO301", "DO606", "DO604", "DO605"} & phase2
    assert "DO302" in phase2  # digests are phase 3


def test_model_weights_in_the_context_are_reported_as_baked_in(tmp_path):
    context = tmp_path / "snsw"
    shutil.copytree(SAMPLE_CONTEXT, context, ignore=shutil.ignore_patterns("*.safetensors"))
    with open(context / "models" / "snsw-weights.safetensors", "wb") as fh:
        fh.truncate(64 << 20)  # the size `dockopt sample` generates; sparse, so cheap
    result = lint_dockerfile(context / "Dockerfile", hadolint=False)
    [baked] = [f for f in result.findings if f.code == "DO504"]
    assert baked.line == 20 and "models/snsw-weights.safetensors (64.0 MB)" in baked.message
    [missing] = [f for f in result.findings if f.code == "DO601"]
    assert "large files 64.0 MB" in missing.message
    phase1 = lint_dockerfile(REFERENCE_VARIANTS / "Dockerfile.phase1", context=context, hadolint=False)
    assert not {"DO504", "DO601", "DO602"} & phase1.codes()
