"""Multi-platform digest pins without an engine: the manifest list dockopt publishes, what a pin
says it covers, and a platform the Dockerfile's pins leave out is skipped with the reason."""

import hashlib
import json

import pytest

from helpers.engine import emulation, multiplatform, registry
from helpers.engine.registry import MANIFEST_LIST, MANIFEST_V2, Pinned

AMD, ARM = "sha256:" + "a1" * 32, "sha256:" + "b2" * 32
LIST_REF = "127.0.0.1:5959/dockopt/python@sha256:" + "11" * 32
AMD_REF = f"127.0.0.1:5959/dockopt/python@{AMD}"


def test_manifest_list_names_each_platforms_manifest():
    body = registry.manifest_list([(AMD, MANIFEST_V2, 1990, "linux/amd64"), (ARM, MANIFEST_V2, 1991, "linux/arm64")])
    doc = json.loads(body)
    assert doc["mediaType"] == MANIFEST_LIST and doc["schemaVersion"] == 2
    assert [(m["digest"], m["size"], m["mediaType"], m["platform"]) for m in doc["manifests"]] == [
        (AMD, 1990, MANIFEST_V2, {"architecture": "amd64", "os": "linux"}),
        (ARM, 1991, MANIFEST_V2, {"architecture": "arm64", "os": "linux"})]


def test_manifest_list_bytes_are_deterministic_so_its_digest_is_stable():
    entries = [(AMD, MANIFEST_V2, 1990, "linux/amd64"), (ARM, MANIFEST_V2, 1991, "linux/arm64/v8")]
    once, again = registry.manifest_list(entries), registry.manifest_list(list(entries))
    assert hashlib.sha256(once).hexdigest() == hashlib.sha256(again).hexdigest()
    assert json.loads(once)["manifests"][1]["platform"] == {"architecture": "arm64", "os": "linux", "variant": "v8"}


@pytest.mark.parametrize("pinned, described", [
    (Pinned(LIST_REF, {"linux/amd64": AMD, "linux/arm64": ARM}),
     f"a manifest list of linux/amd64 {AMD}, linux/arm64 {ARM}"),
    (Pinned(AMD_REF, {"linux/amd64": AMD}, "no linux/arm64 base here"),
     f"linux/amd64 {AMD} only (no linux/arm64 base here)"),
    (Pinned("docker.io/library/python@" + AMD, {}, "pulled"), "its digest as pulled (pulled)"),
])
def test_a_pin_says_which_digests_it_stands_for(pinned, described):
    assert pinned.describe() == described
    assert str(pinned) == pinned.ref and pinned.is_list == (len(pinned.platforms) > 1)


@pytest.mark.parametrize("name, platform", [
    ({"os": "linux", "architecture": "arm64", "variant": "v8"}, "linux/arm64/v8"),
    ({"architecture": "amd64", "os": "linux"}, "linux/amd64"),
])
def test_platform_name(name, platform):
    assert registry.platform_name(name) == platform


def test_only_loopback_digests_are_looked_up():
    assert registry.platforms_of("docker.io/library/python@" + AMD) is None
    assert registry.platforms_of("127.0.0.1:5959/dockopt/python:3.11") is None


DOCKERFILE = f"""ARG X=1
FROM {LIST_REF} AS builder
FROM --platform=$BUILDPLATFORM {AMD_REF} AS tools
FROM ${{BASE}}@${{DIGEST}} AS by_arg
FROM builder
FROM {LIST_REF}
"""


def test_pinned_bases_are_the_literal_digest_froms():
    assert multiplatform.pinned_bases(DOCKERFILE) == [LIST_REF, AMD_REF]


@pytest.mark.parametrize("held, platform, reason", [
    ({LIST_REF: ["linux/amd64", "linux/arm64"], AMD_REF: ["linux/amd64", "linux/arm64/v8"]}, "linux/arm64", ""),
    ({LIST_REF: ["linux/amd64", "linux/arm64"], AMD_REF: ["linux/amd64"]}, "linux/amd64", ""),
    ({LIST_REF: None, AMD_REF: None}, "linux/arm64", ""),  # cannot tell: build, and let the build say
    ({LIST_REF: ["linux/amd64", "linux/arm64"], AMD_REF: ["linux/amd64"]}, "linux/arm64",
     f"its base {AMD_REF} is pinned to a digest of linux/amd64 only (no arm64 image of it was there to pin when it was "
     "generated; for dockopt's own bases `dockopt base --platform linux/arm64` builds one, then generate it again)"),
])
def test_a_platform_the_pins_leave_out_says_why(tmp_path, monkeypatch, held, platform, reason):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    monkeypatch.setattr(registry, "platforms_of", held.get)
    assert multiplatform.unpinned_for(tmp_path / "Dockerfile", platform) == reason


def test_build_platforms_skips_arm64_of_an_amd64_only_pin_without_building(tmp_path, monkeypatch):
    (tmp_path / "Dockerfile").write_text(f"FROM {AMD_REF}\nCMD [\"true\"]\n")
    monkeypatch.setattr(multiplatform.connect, "client", lambda: None)
    monkeypatch.setattr(emulation, "detect", lambda arch: emulation.EmulationStatus(True, how="test"))
    monkeypatch.setattr(registry, "platforms_of", lambda ref: ["linux/amd64"])
    monkeypatch.setattr(multiplatform, "build_one", lambda *a, **k: pytest.fail("nothing should be built"))
    (result,) = multiplatform.build_platforms(tmp_path, tmp_path / "Dockerfile", platforms=["linux/arm64"],
                                              setup=False, log=lambda msg: None)
    assert result.summary().startswith(f"skipped: its base {AMD_REF} is pinned to a digest of linux/amd64 only")
    assert not result.built and result.tag == ""


class FakeImages:
    """docker-py's ``images`` for a fake engine: tag -> Architecture (absent tags raise ImageNotFound)."""

    def __init__(self, arches: dict[str, str]):
        self.arches = arches

    def get(self, tag):
        import docker.errors

        if tag not in self.arches:
            raise docker.errors.ImageNotFound(tag)
        return type("Image", (), {"attrs": {"Architecture": self.arches[tag]}})()


PY, PY_ARM = "dockopt/python:3.11-bookworm", "dockopt/python:3.11-bookworm-arm64"
MISSING_ARM = (f"no linux/arm64 base here ({PY_ARM} is missing; `dockopt base --platform linux/arm64` builds it, "
               "then generate again)")


@pytest.mark.parametrize("engine, expected", [
    ({PY: "amd64", PY_ARM: "arm64"}, Pinned(LIST_REF, {"linux/amd64": AMD, "linux/arm64": ARM})),
    ({PY: "amd64"}, Pinned(AMD_REF, {"linux/amd64": AMD}, MISSING_ARM)),
    ({PY: "amd64", PY_ARM: "amd64"}, Pinned(AMD_REF, {"linux/amd64": AMD}, f"{PY_ARM} is labelled amd64, not arm64")),
    ({"me/app:1": "amd64"}, Pinned("127.0.0.1:5959/me/app@" + AMD, {"linux/amd64": AMD},
                                   "no linux/arm64 image of me/app:1 is known")),
])
def test_pin_platforms_lists_both_or_pins_amd64_and_says_why(monkeypatch, engine, expected):
    """One digest per base: a manifest list where both platforms' images exist here, else the
    amd64 image's own digest, with the reason the arm64 one is left out."""
    from helpers.engine import base_images

    tag = next(iter(engine))
    own = {PY: AMD_REF, PY_ARM: f"127.0.0.1:5959/dockopt/python@{ARM}", "me/app:1": "127.0.0.1:5959/me/app@" + AMD}
    host = base_images.debian_arch
    monkeypatch.setattr(base_images, "debian_arch", lambda machine=None: host(machine or "x86_64"))  # an amd64 host
    monkeypatch.setattr(registry.connect, "client", lambda: type("Cli", (), {"images": FakeImages(engine)})())
    monkeypatch.setattr(registry, "pin", own.__getitem__)
    listed = []
    monkeypatch.setattr(registry, "pin_list", lambda tags, list_tag: listed.append((tags, list_tag)) or Pinned(
        LIST_REF, {p: registry.split_pin(own[t])[1] for p, t in tags.items()}))
    assert registry.pin_platforms(tag) == expected
    assert listed == ([({"linux/amd64": PY, "linux/arm64": PY_ARM}, PY + "-multiarch")] if expected.is_list else [])


def test_a_digest_pulled_from_a_real_registry_is_kept(monkeypatch):
    monkeypatch.setattr(registry.connect, "client", lambda: None)
    monkeypatch.setattr(registry, "pin", lambda tag: "registry.example/python@" + AMD)
    pinned = registry.pin_platforms("registry.example/python:3.11")
    assert pinned.ref == "registry.example/python@" + AMD and pinned.platforms == {}
