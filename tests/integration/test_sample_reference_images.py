"""The sample's hand-written reference images (dockerfiles/reference): every one builds, runs its
smoke command, and keeps (or drops) what it should."""

import pytest

from helpers import sample
from helpers.engine.labels import LABEL

pytestmark = pytest.mark.engine

COMPILERS = "gcc cc g++ c++ cmake make"
FIND_TOOLS = ["sh", "-c", f"for t in {COMPILERS}; do command -v $t || true; done"]


def run(docker_client, image_id, command):
    return docker_client.containers.run(image_id, command, remove=True, labels={LABEL: "true"},
                                        entrypoint=[]).decode()


@pytest.mark.parametrize("name", [v.name for v in sample.VARIANTS])
def test_variant_runs_its_smoke_command(sample_images, docker_client, name):
    out = run(docker_client, sample_images[name].image_id, sample.SMOKE_COMMAND)
    assert sample.SMOKE_EXPECT in out


@pytest.mark.parametrize("name", ["phase1", "phase2", "phase3"])
def test_optimized_runtime_has_no_compiler(sample_images, docker_client, name):
    out = run(docker_client, sample_images[name].image_id, FIND_TOOLS)
    assert out.strip() == "", f"{name} runtime still has: {out.split()}"


def test_original_really_carries_build_tools(sample_images, docker_client):
    out = run(docker_client, sample_images["original"].image_id, FIND_TOOLS)
    assert "/usr/bin/gcc" in out and "/usr/bin/cmake" in out


@pytest.mark.parametrize("name, uid", [("original", "0"), ("phase1", "0"), ("phase2", "1000"), ("phase3", "1000")])
def test_runtime_uid(sample_images, docker_client, name, uid):
    assert run(docker_client, sample_images[name].image_id, ["id", "-u"]).strip() == uid


def test_model_weights_only_baked_into_the_original(sample_images, docker_client):
    listing = {name: run(docker_client, built.image_id, ["sh", "-c", "ls /app/models 2>/dev/null || true"])
               for name, built in sample_images.items()}
    assert "snsw-weights.safetensors" in listing["original"]
    assert all("safetensors" not in listing[n] for n in ("phase1", "phase2", "phase3"))


def test_phase3_is_at_least_60_percent_smaller(sample_images, docker_client):
    size = {n: docker_client.images.get(b.image_id).attrs["Size"] for n, b in sample_images.items()}
    assert size["phase3"] <= 0.40 * size["original"], size
    assert size["phase3"] < size["phase1"] < size["original"]
