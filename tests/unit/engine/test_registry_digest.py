"""Portable digest pins from an image's inspect: the user's repository, normalised the docker way.

Recorded fixtures (tests/fixtures/engine/inspect/) come from the real engine: dockopt's locally built
base (whose only RepoDigest is the loopback registry's), an image pushed to a registry on
localhost:5961, and the engine's distribution inspect of that digest. Pulled docker.io images are
synthesised in the shape the engine records them (familiar names: ``python@sha256:...``).
"""

import json
from pathlib import Path

import pytest

from helpers.engine import registry_digest
from helpers.engine.registry_digest import Reference, parse, pin_for

RECORDED = Path(__file__).parents[2] / "fixtures" / "engine" / "inspect"
LIST, AMD, OTHER = "sha256:" + "11" * 32, "sha256:" + "a1" * 32, "sha256:" + "99" * 32


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


@pytest.mark.parametrize("ref, expected", [
    ("python", Reference("docker.io", "library/python")),
    ("python:3.11-slim", Reference("docker.io", "library/python", "3.11-slim")),
    ("docker.io/library/python:3.11-slim", Reference("docker.io", "library/python", "3.11-slim")),
    ("index.docker.io/python", Reference("docker.io", "library/python")),
    ("dockopt/python:3.11-bookworm", Reference("docker.io", "dockopt/python", "3.11-bookworm")),
    ("python@" + AMD, Reference("docker.io", "library/python", None, AMD)),
    ("ghcr.io/org/app:1@" + AMD, Reference("ghcr.io", "org/app", "1", AMD)),
    ("localhost:5961/dockopt-pins/python:3.11", Reference("localhost:5961", "dockopt-pins/python", "3.11")),
    ("registry.example:443/team/py", Reference("registry.example:443", "team/py")),
    ("localhost/app", Reference("localhost", "app")),
])
def test_references_are_split_the_docker_way(ref, expected):
    assert parse(ref) == expected


@pytest.mark.parametrize("a, b", [
    ("python", "docker.io/library/python:3.11"),
    ("python:3.11-slim", "index.docker.io/library/python@" + AMD),
    ("dockopt/python:3.11-bookworm", "docker.io/dockopt/python:3.11-bookworm-minimal"),
])
def test_two_spellings_of_one_repository_are_equal(a, b):
    assert parse(a).repository == parse(b).repository


@pytest.mark.parametrize("domain, local", [
    ("127.0.0.1:5959", True), ("localhost:5961", True), ("localhost", True), ("[::1]:5000", True),
    ("docker.io", False), ("registry.example:443", False), ("localhost.example.com", False),
])
def test_local_addresses(domain, local):
    assert registry_digest.is_local_address(domain) == local


def test_a_locally_built_base_has_no_digest_even_with_a_loopback_one():
    """The recorded dockopt/python base: its only RepoDigest is 127.0.0.1:5959's, which is not the
    repository the user wrote, and whose address must not appear anywhere the user takes."""
    attrs = recorded("local-base-dockopt-python.json")
    assert attrs["RepoDigests"] and all(d.startswith("127.0.0.1:5959/") for d in attrs["RepoDigests"])
    pin = pin_for("dockopt/python:3.11-bookworm", attrs, distribution=lambda ref: pytest.fail("nothing to ask"))
    assert pin.ref is None
    assert pin.why_not == ("dockopt/python:3.11-bookworm: the image here has no registry digest for "
                           "docker.io/dockopt/python (built on this machine, or never pulled from there)")
    assert "127.0.0.1" not in pin.why_not


def test_an_image_without_repo_digests_has_no_digest():
    assert pin_for("myapp/base:1", {"RepoDigests": []}).ref is None
    assert pin_for("myapp/base:1", {}).ref is None


def test_a_registry_with_a_port_keeps_its_address_and_says_what_the_digest_covers():
    """Recorded: pushed to a registry on localhost:5961, whose distribution inspect answers."""
    attrs, answer = recorded("pushed-localhost-5961.json"), recorded("distribution-localhost-5961.json")
    digest = attrs["RepoDigests"][0].split("@")[1]
    asked = []
    pin = pin_for("localhost:5961/dockopt-pins/python:3.11", attrs, distribution=lambda ref: asked.append(ref) or answer)
    assert pin.ref == f"localhost:5961/dockopt-pins/python:3.11@{digest}"
    assert asked == [f"localhost:5961/dockopt-pins/python:3.11@{digest}"]
    assert pin.covers == "a single-platform manifest (linux/amd64): it builds for that platform only"


PULLED = {"RepoTags": ["python:3.11-slim"],
          "RepoDigests": ["127.0.0.1:5959/python@" + OTHER, "python@" + LIST, "mirror.example/library/python@" + OTHER]}
LIST_ANSWER = {"Descriptor": {"mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
                              "digest": LIST, "size": 1862},
               "Platforms": [{"architecture": "amd64", "os": "linux"}, {"architecture": "arm64", "os": "linux",
                                                                        "variant": "v8"},
                             {"architecture": "unknown", "os": "unknown"}]}


@pytest.mark.parametrize("written", ["python:3.11-slim", "docker.io/library/python:3.11-slim",
                                     "index.docker.io/library/python:3.11-slim"])
def test_a_pulled_multi_platform_tag_is_pinned_by_its_list_digest_as_written(written):
    pin = pin_for(written, PULLED, distribution=lambda ref: LIST_ANSWER)
    assert pin.ref == f"{written}@{LIST}"
    assert pin.covers == "a manifest list of linux/amd64, linux/arm64/v8"


def test_without_a_reachable_registry_the_pin_stands_and_says_what_is_unknown():
    def unreachable(ref):  # the engine's words here, recorded (no network to docker.io)
        raise RuntimeError('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io '
                           'on 10.255.255.53:53: no such host')

    pin = pin_for("python:3.11-slim", PULLED, distribution=unreachable)
    assert pin.ref == f"python:3.11-slim@{LIST}"
    assert pin.covers.startswith("whether it is a manifest list was not asked (docker.io is not reachable here: Get ")


def test_a_digest_of_another_repository_is_not_used_but_named():
    pin = pin_for("python:3.11-slim", {"RepoDigests": ["mirror.example/library/python@" + OTHER,
                                                        "127.0.0.1:5959/python@" + OTHER]})
    assert pin.ref is None
    assert pin.why_not.endswith("; the engine has digests of mirror.example/library/python only, "
                                "which docker.io/library/python may not serve")


def test_several_digests_of_the_repository_the_registry_says_which_the_tag_serves():
    attrs = {"RepoDigests": ["python@" + OTHER, "python@" + LIST]}
    answers = {"python:3.11-slim": LIST_ANSWER, f"python:3.11-slim@{LIST}": LIST_ANSWER}
    pin = pin_for("python:3.11-slim", attrs, distribution=answers.__getitem__)
    assert pin.ref == f"python:3.11-slim@{LIST}"
    assert pin.covers == "one of 2 digests the engine recorded for docker.io/library/python; " \
                         "a manifest list of linux/amd64, linux/arm64/v8"


def test_a_single_platform_answer_says_it_builds_for_that_platform_only():
    answer = {"Descriptor": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": AMD},
              "Platforms": [{"architecture": "amd64", "os": "linux"}]}
    assert registry_digest.covers(answer) == \
        "a single-platform manifest (linux/amd64): it builds for that platform only"


# A base only BuildKit's own store holds (pulled during the build): the registry is asked, through the engine.

def test_a_base_buildkit_pulled_is_pinned_by_what_the_registry_serves_for_the_name():
    pin = registry_digest.pin_from_registry("python:3.11-slim", {"python:3.11-slim": LIST_ANSWER}.__getitem__)
    assert pin.ref == f"python:3.11-slim@{LIST}"
    assert pin.covers == ("a manifest list of linux/amd64, linux/arm64/v8; what docker.io served for python:3.11-slim "
                          "when this file was generated (BuildKit pulled it; no local RepoDigest)")


def test_a_base_buildkit_pulled_without_a_reachable_registry_stays_as_written():
    def unreachable(ref):
        raise RuntimeError("dial tcp: lookup registry-1.docker.io: no such host")

    pin = registry_digest.pin_from_registry("python:3.11-slim", unreachable)
    assert pin.ref is None
    assert pin.why_not == ("python:3.11-slim: not in the engine's image store, and docker.io could not be asked for "
                           "its digest (dial tcp: lookup registry-1.docker.io: no such host)")


class FakeEngine:
    """docker-py's client for one image store (tag -> inspect) and a registry (ref -> distribution)."""

    def __init__(self, store: dict, registry: dict):
        import docker.errors

        def get(tag):
            if tag not in store:
                raise docker.errors.ImageNotFound(tag)
            return type("Image", (), {"attrs": store[tag]})()

        self.images = type("Images", (), {"get": staticmethod(get)})()
        self.api = type("API", (), {"inspect_distribution": staticmethod(registry.__getitem__)})()


@pytest.mark.parametrize("store, ref, covers", [
    ({"python:3.11-slim": PULLED}, f"python:3.11-slim@{LIST}", "a manifest list of linux/amd64, linux/arm64/v8"),
    ({}, f"python:3.11-slim@{LIST}", "a manifest list of linux/amd64, linux/arm64/v8; what docker.io served"),
    ({"python:3.11-slim": {"RepoDigests": []}}, None, ""),  # built here: the registry is not asked
])
def test_resolve_reads_the_store_first_and_asks_the_registry_only_for_what_it_lacks(monkeypatch, store, ref, covers):
    from helpers.engine import connect

    answers = {"python:3.11-slim": LIST_ANSWER, f"python:3.11-slim@{LIST}": LIST_ANSWER}
    monkeypatch.setattr(connect, "client", lambda timeout=600: FakeEngine(store, answers))
    pin = registry_digest.resolve("python:3.11-slim")
    assert pin.ref == ref and pin.covers.startswith(covers)
