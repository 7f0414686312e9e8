"""Base image recipes: mirror discovery and recipe hashing (no engine needed)."""

from pathlib import Path

from helpers.engine import base_images

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "engine"


def test_mirror_from_deb822_skips_security_suite():
    text = (FIXTURES / "apt-debian.sources").read_text()
    assert base_images.mirror_from_sources([text]) == "http://mirror.example.org/debian"


def test_mirror_from_one_line_format():
    text = (FIXTURES / "apt-sources.list").read_text()
    assert base_images.mirror_from_sources([text]) == "http://ftp.example.org/debian"


def test_no_mirror_found():
    assert base_images.mirror_from_sources(["# nothing here\n"]) is None


def test_recipe_changes_with_dockerfile_and_certs(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM x\n")
    cert = tmp_path / "a.crt"
    cert.write_text("CERT-A")
    first = base_images.image_recipe(dockerfile, "root1", [cert])
    assert first == base_images.image_recipe(dockerfile, "root1", [cert])
    assert first != base_images.image_recipe(dockerfile, "root2", [cert])
    cert.write_text("CERT-B")
    assert first != base_images.image_recipe(dockerfile, "root1", [cert])
    dockerfile.write_text("FROM y\n")
    assert base_images.image_recipe(dockerfile, "root1", [cert]) != first


def test_debian_arch_names():
    assert base_images.debian_arch("x86_64") == "amd64"
    assert base_images.debian_arch("aarch64") == "arm64"


def test_host_arch_keeps_plain_tags_and_other_arches_get_a_suffix():
    native = base_images.tags_for()
    assert (native.rootfs, native.python, native.minimal) == (
        base_images.ROOTFS_TAG, base_images.PYTHON_TAG, base_images.MINIMAL_TAG)
    other = "arm64" if base_images.debian_arch() != "arm64" else "amd64"
    tags = base_images.tags_for(other)
    assert tags.python == f"{base_images.PYTHON_TAG}-{other}" and not tags.native
    assert tags.rootfs.endswith(f"-{other}") and tags.minimal.endswith(f"-{other}")
    assert tags.platform == f"linux/{other}"


def test_arch_of_platform_strings():
    assert base_images.arch_of("linux/arm64") == "arm64"
    assert base_images.arch_of("linux/arm64/v8") == "arm64"
    assert base_images.arch_of("linux/amd64") == "amd64"
    assert base_images.arch_of("aarch64") == "arm64"


def test_rootfs_recipe_differs_per_arch_and_is_stable():
    assert base_images.rootfs_recipe("amd64") != base_images.rootfs_recipe("arm64")
    assert base_images.rootfs_recipe("arm64") == base_images.rootfs_recipe("arm64")
