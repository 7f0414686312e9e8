"""The multi-platform build on the real engine: arm64 under QEMU emulation, proved by inspect and a run.

Session-scoped: emulation is set up, the arm64 bases and the sample's phase-3 image for both
platforms are built once. The arm64 bases are kept and reused like the amd64 ones (their
recipe label says when to rebuild); the variant images are removed at the end.
"""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import sample
from helpers.engine import base_images as provision
from helpers.engine import emulation, multiplatform, registry
from helpers.engine.labels import LABEL, RECIPE_LABEL
from helpers.variants import derive_variants
from helpers.builds.workspace import context_copy

pytestmark = pytest.mark.engine

ARM64 = "linux/arm64"
REPO = "dockopt-platform/test-snsw"
# A shared engine: another prefix keeps concurrent runs from removing each other's images.
GENERATED_PREFIX = os.environ.get("DOCKOPT_TEST_PLATFORM_PREFIX", "dockopt-platform/generated")
FLASK = Path(__file__).parent.parent / "fixtures" / "projects" / "flask_app"
FLASK_SMOKE = "python -c \"from app import app; print(app.test_client().get('/health').data.decode())\""


@pytest.fixture(scope="session")
def arm64_emulation():
    status = emulation.ensure("arm64", log=lambda msg: None)
    if not status.available:
        if os.geteuid() == 0 and Path("/etc/debian_version").exists():
            pytest.fail(f"arm64 emulation should be possible here (root, Debian) but: {status.reason}")
        pytest.skip(status.describe())
    return status


@pytest.fixture(scope="session")
def arm64_bases(arm64_emulation, docker_client):
    return provision.ensure_base_images(log=lambda msg: None, platform=ARM64)


@pytest.fixture(scope="session")
def phase3_platforms(arm64_bases, base_images, docker_client):
    """The sample's phase-3 reference for amd64 (cached from the sample tier) and arm64."""
    v = sample.variant("phase3")
    sample.ensure_weights()
    results = multiplatform.build_platforms(
        sample.SAMPLE_CONTEXT, v.dockerfile, platforms=["linux/amd64", ARM64], repo=REPO, name="phase3",
        build_args=lambda arch: sample.build_args(v, arch),
        smoke_command=sample.SMOKE_COMMAND, smoke_expect=sample.SMOKE_EXPECT, log=lambda msg: None)
    yield {r.platform: r for r in results}
    for r in results:
        if r.tag and r.built:
            docker_client.images.remove(r.tag)


def arch_in(docker_client, tag):
    return docker_client.images.get(tag).attrs["Architecture"]


def test_emulation_handler_survives_into_containers(arm64_emulation):
    status = emulation.detect("arm64")
    assert status.available
    assert status.how == "native" or "F" in status.how.rsplit("flags ", 1)[1]


def test_arm64_bases_are_arm64_labelled_and_reused(arm64_bases, docker_client):
    tags = provision.tags_for("arm64")
    assert [arm64_bases[k].tag for k in ("rootfs", "python", "minimal")] == [tags.rootfs, tags.python, tags.minimal]
    again = provision.ensure_base_images(log=lambda msg: None, platform=ARM64)
    for name, image in again.items():
        assert not image.built, f"{name} was rebuilt although its recipe did not change"
        assert arch_in(docker_client, image.tag) == "arm64"
        labels = docker_client.images.get(image.tag).labels
        assert labels[RECIPE_LABEL] == image.recipe and labels[LABEL] == "true"


def test_amd64_bases_keep_their_tags_and_arch(arm64_bases, base_images, docker_client):
    assert [base_images[k].tag for k in ("rootfs", "python", "minimal")] == [
        provision.ROOTFS_TAG, provision.PYTHON_TAG, provision.MINIMAL_TAG]
    for name, image in base_images.items():
        assert arch_in(docker_client, image.tag) == provision.debian_arch()
        assert image.recipe != arm64_bases[name].recipe


def test_arm64_python_base_really_runs_aarch64_code(arm64_bases, docker_client):
    out = docker_client.containers.run(
        arm64_bases["python"].tag, ["sh", "-c", "uname -m && python --version && pip --version"],
        remove=True, labels={LABEL: "true"}, platform=ARM64).decode()
    assert out.splitlines()[0] == "aarch64"
    assert "Python 3.11" in out and "pip " in out


def test_arm64_pin_is_its_own_digest(arm64_bases, base_images):
    arm = registry.split_pin(registry.pin(arm64_bases["minimal"].tag))
    amd = registry.split_pin(registry.pin(base_images["minimal"].tag))
    assert arm[0] == amd[0] and arm[1] != amd[1]
    assert arm[1].startswith("sha256:")


def test_phase3_builds_for_both_platforms_with_the_right_architecture(phase3_platforms):
    for platform, arch in (("linux/amd64", "amd64"), (ARM64, "arm64")):
        r = phase3_platforms[platform]
        assert r.built and r.error == "", r.error
        assert r.arch == arch and r.tag == f"{REPO}:phase3-{arch}"
    assert phase3_platforms[ARM64].emulated and not phase3_platforms["linux/amd64"].emulated


def test_phase3_smoke_passes_on_both_platforms(phase3_platforms):
    for platform, r in phase3_platforms.items():
        assert r.smoke_passed, f"{platform}: {r.error}"


def test_arm64_image_holds_aarch64_binaries(phase3_platforms, docker_client):
    out = docker_client.containers.run(
        phase3_platforms[ARM64].tag, ["python", "-c", "import platform, numpy; print(platform.machine())"],
        remove=True, labels={LABEL: "true"}, platform=ARM64).decode()
    assert out.strip() == "aarch64"


def test_a_platform_without_emulation_is_skipped_with_its_reason(docker_client):
    (result,) = multiplatform.build_platforms(
        sample.SAMPLE_CONTEXT, sample.variant("phase3").dockerfile, platforms=["linux/riscv64"],
        repo=REPO, name="never", setup=False, log=lambda msg: None)
    assert not result.built and result.tag == ""
    assert result.summary().startswith("skipped: ") and "riscv64" in result.skipped


def test_platforms_command_prints_the_skip_reason(docker_client):
    env = dict(os.environ, PYTHONPATH=str(Path(sample.__file__).resolve().parents[1]))
    proc = subprocess.run(
        [sys.executable, "-m", "helpers.cli", "platforms", "--platforms", "linux/riscv64", "--no-setup",
         "--repo", REPO], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "linux/riscv64" in proc.stdout
    assert "skipped: dockopt knows no QEMU handler for riscv64" in proc.stdout


# A GENERATED phase 3 (not the hand-written reference) builds for arm64 from the same Dockerfile:
# it names its bases as written (no loopback registry address), and the arm64 build names dockopt's
# arm64 bases by build arg, the file itself unchanged.

@pytest.fixture(scope="session")
def generated_flask(arm64_bases, base_images, docker_client, tmp_path_factory):
    """The smallest fixture project's variants, and its phase 3 built for arm64 only (what the build
    logged comes along): amd64 is built by derive_variants itself, and BuildKit's cache makes the
    amd64 builds nearly free when test_variants_fixtures built them."""
    out = tmp_path_factory.mktemp("flask-variants")
    results = {r.name: r for r in derive_variants(FLASK, FLASK / "Dockerfile", out, smoke=FLASK_SMOKE, expect="ok",
                                                   rebuild=False, tag_prefix=GENERATED_PREFIX)}
    phase3, logged = results["phase3"], []
    with context_copy(FLASK) as ws:
        ws.place({phase3.dockerfile.name: phase3.text, **{f.name: f.read_text() for f in phase3.files}})
        (arm,) = multiplatform.build_platforms(
            ws.context, ws.context / phase3.dockerfile.name, platforms=[ARM64], repo=GENERATED_PREFIX + "/flask_app",
            name="phase3", smoke_command=shlex.split(FLASK_SMOKE), smoke_expect="ok", log=logged.append)
        assert (ws.context / phase3.dockerfile.name).read_text() == phase3.text
    yield results, arm, logged
    for tag in [r.tag for r in results.values()] + [arm.tag]:
        if tag and docker_client.images.list(name=tag):
            docker_client.images.remove(tag)


def test_generated_phase3_names_its_bases_as_written_without_a_loopback_address(generated_flask):
    phase3 = generated_flask[0]["phase3"]
    assert phase3.ok and phase3.smoke_ok, phase3.error  # the amd64 build of the same Dockerfile
    assert registry.REGISTRY not in phase3.text and "127.0.0.1" not in phase3.text
    froms = [line.split()[1] for line in phase3.text.splitlines() if line.startswith("FROM ")]
    assert froms == ["${BASE_IMAGE}", "${RUNTIME_BASE_IMAGE}"], phase3.text
    assert "ARG BASE_IMAGE=dockopt/python:3.11-bookworm\n" in phase3.text


def test_generated_phase3_builds_for_arm64_and_its_smoke_passes_under_emulation(generated_flask, docker_client):
    arm, logged = generated_flask[1], generated_flask[2]
    assert "linux/arm64: building with ${BASE_IMAGE} -> dockopt/python:3.11-bookworm-arm64 (build arg), " \
           "${RUNTIME_BASE_IMAGE} -> dockopt/python:3.11-bookworm-minimal-arm64 (build arg)" in logged
    assert arm.built and arm.error == "", arm.error
    assert arm.emulated and arm.arch == "arm64" and arm.smoke_passed
    assert docker_client.images.get(arm.tag).attrs["Architecture"] == "arm64"
    out = docker_client.containers.run(arm.tag, ["python", "-c", "import platform, flask; print(platform.machine())"],
                                       remove=True, labels={LABEL: "true"}, platform=ARM64).decode()
    assert out.strip() == "aarch64"
