"""The engine module against the real engine on this machine."""

import pytest

from helpers.engine import base_images as provision
from helpers.engine import buildkit, connect, daemon, registry
from helpers.engine.labels import LABEL, RECIPE_LABEL

pytestmark = pytest.mark.engine


def test_describe_reports_what_the_engine_says(docker_client):
    info = connect.describe(docker_client)
    assert info.engine_version == docker_client.version()["Version"]
    assert info.api_version == docker_client.version()["ApiVersion"]
    assert info.storage_driver == docker_client.info()["Driver"]
    assert info.cpus >= 1


def test_ensure_engine_is_idempotent(docker_client):
    assert daemon.ensure_engine(install=False) == "engine already running"


def test_found_client_really_builds_with_buildkit(tmp_path, docker_client):
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY a /a\n")
    (tmp_path / "a").write_text("x")
    client = buildkit.find_client()
    result = buildkit.build(tmp_path, tmp_path / "Dockerfile", "dockopt-test/buildkit-probe:1", client=client)
    try:
        assert result.ok
        assert "#1 [internal] load" in result.log or "[internal] load build definition" in result.log
        image = docker_client.images.get(result.image_id)
        assert image.labels[LABEL] == "true"
    finally:
        docker_client.images.remove(result.image_id, force=True)


def test_base_images_are_reused_and_labelled(base_images, docker_client):
    again = provision.ensure_base_images(log=lambda msg: None)
    for name, image in again.items():
        assert not image.built, f"{name} was rebuilt although its recipe did not change"
        assert image.image_id == base_images[name].image_id
        labels = docker_client.images.get(image.tag).labels
        assert labels[RECIPE_LABEL] == image.recipe and labels[LABEL] == "true"


def test_python_base_has_python_pip_and_trusts_host_cas(base_images, docker_client):
    out = docker_client.containers.run(
        provision.PYTHON_TAG, ["sh", "-c", "python --version && pip --version && ls /usr/local/share/ca-certificates"],
        remove=True, labels={LABEL: "true"}).decode()
    assert "Python 3.11" in out and "pip " in out
    for cert in provision.host_ca_certs():
        assert cert.name in out


def test_minimal_base_has_no_pip_and_no_compiler(base_images, docker_client):
    out = docker_client.containers.run(
        provision.MINIMAL_TAG, ["sh", "-c", "python3 -c 'import ssl' && echo py-ok; command -v pip gcc cc || true"],
        remove=True, labels={LABEL: "true"}).decode()
    assert out.strip() == "py-ok"


def test_pin_gives_a_digest_the_engine_can_build_from(base_images, docker_client, tmp_path):
    ref = registry.pin(provision.MINIMAL_TAG)
    repo, digest = registry.split_pin(ref)
    assert digest.startswith("sha256:") and len(digest) == 71
    assert ref in docker_client.images.get(provision.MINIMAL_TAG).attrs["RepoDigests"]
    (tmp_path / "Dockerfile").write_text(f"FROM {ref}\nRUN true\n")
    result = buildkit.build(tmp_path, tmp_path / "Dockerfile", "dockopt-test/pin-probe:1")
    docker_client.images.remove(result.image_id, force=True)


# What apt leaves in /var/cache/apt: downloaded packages and its binary caches (pkgcache.bin...).
APT_CACHE_FILES = "find /var/cache/apt -type f \\( -name '*.deb' -o -name '*.bin' \\)"


@pytest.mark.parametrize("which", ["rootfs", "python", "minimal"])
def test_bases_keep_no_apt_cache_and_carry_debian_docker_clean(which, base_images, docker_client):
    tag = base_images[which].tag
    out = docker_client.containers.run(
        tag, ["sh", "-c", f"{APT_CACHE_FILES}; echo CONFIG:; ls /etc/apt/apt.conf.d; cat /etc/apt/apt.conf.d/docker-clean"],
        remove=True, labels={LABEL: "true"}).decode()
    cache, out = out.split("CONFIG:", 1)
    assert cache.strip() == "", f"{tag} keeps apt caches: {cache}"
    for name in ("docker-clean", "docker-no-languages", "docker-gzip-indexes", "docker-autoremove-suggests"):
        assert name in out
    assert 'Dir::Cache::pkgcache "";' in out


def test_apt_install_on_the_python_base_leaves_no_cache_like_the_official_images(base_images, docker_client):
    """A user's `apt-get update && apt-get install` without any cleanup keeps no package cache."""
    out = docker_client.containers.run(
        provision.PYTHON_TAG,
        ["sh", "-c", "apt-get update -qq && apt-get install -y -qq --no-install-recommends file >/dev/null "
                     f"&& command -v file && echo CACHE: && {APT_CACHE_FILES}"],
        remove=True, labels={LABEL: "true"}).decode()
    assert "/usr/bin/file" in out
    assert out.split("CACHE:", 1)[1].strip() == "", out
