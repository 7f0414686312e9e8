"""The digest a base image's own registry serves, as the engine recorded it: what a portable pin needs.

A generated Dockerfile is taken home, so its ``FROM`` names the base as the user wrote it and pins
the digest the user's registry serves for it (``python:3.11-slim@sha256:...``). The engine records
that digest in the image's ``RepoDigests`` when it pulls (or pushes) the image; for a multi-platform
tag pulled by name it is already the manifest list's digest. An entry counts only when its
repository is the one the user wrote, normalised the way docker does (``python`` is
``docker.io/library/python``): a digest from dockopt's loopback registry, or from any other
repository, is not what the user's registry serves. A base that BuildKit pulled is not in the
engine's image store at all (BuildKit keeps its own); the registry is then asked, through the
engine, what it serves for the name. A base built on this machine has no such digest; it stays as
written, and :func:`how_to_pin` says how to pin it where a registry is reachable.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.engine.registry import LISTS, platform_name



def how_to_pin(images: list[str]) -> str:
    """What a header tells a user whose base has no digest here: how to get one where a registry is."""
    image = images[0] if len(images) == 1 else "IMAGE"
    return (f"to pin on a machine that reaches the registry: `docker pull {image} && docker inspect --format "
            f"'{{{{index .RepoDigests 0}}}}' {image}` (or `docker buildx imagetools inspect {image}`), then write "
            f"FROM {image}@sha256:<that digest>")


@dataclass(frozen=True)
class Reference:
    """An image reference split the docker way (distribution/reference ``ParseNormalizedNamed``)."""

    domain: str
    path: str
    tag: str | None = None
    digest: str | None = None

    @property
    def repository(self) -> str:
        """``docker.io/library/python``: the one spelling two names of the same repository share."""
        return f"{self.domain}/{self.path}"


def parse(ref: str) -> Reference:
    """``python:3.11-slim`` -> docker.io, library/python, 3.11-slim; a port stays in the domain."""
    from docker.auth import INDEX_NAME, split_repo_name  # here: the CLI's --help needs no SDK
    from docker.utils import parse_repository_tag

    name, _, digest = ref.partition("@")
    name, tag = parse_repository_tag(name)
    domain, path = split_repo_name(name)
    if domain == "index.docker.io":
        domain = INDEX_NAME
    if domain == INDEX_NAME and "/" not in path:
        path = f"library/{path}"
    return Reference(domain, path, tag, digest or None)


def is_local_address(domain: str) -> bool:
    """A registry address that means this machine: nobody else can pull from it."""
    host = domain.rsplit(":", 1)[0] if not domain.startswith("[") else domain.split("]")[0] + "]"
    return host in ("localhost", "[::1]") or host.startswith("127.")


@dataclass(frozen=True)
class RegistryPin:
    """What a generated ``FROM`` can say about one base.

    Attributes:
        written: the base as the user wrote it (ARG defaults substituted).
        ref: ``written@sha256:...``, or None when no registry digest is known.
        covers: what the digest stands for, when the registry could be asked ("" when it could not).
        why_not: when ``ref`` is None, why.
    """

    written: str
    ref: str | None
    covers: str = ""
    why_not: str = ""

    def describe(self) -> str:
        return self.covers


def choose(written: str, repo_digests: list[str]) -> tuple[list[str], list[str]]:
    """(digests of ``written``'s repository, other repositories that have one) from an image's
    ``RepoDigests``; repositories on a local address are left out of the second list, since their
    names mean nothing off this machine."""
    wanted = parse(written).repository
    mine, others = [], []
    for entry in repo_digests or []:
        ref = parse(entry)
        if ref.repository == wanted and ref.digest:
            mine.append(ref.digest)
        elif not is_local_address(ref.domain):
            others.append(ref.repository)
    return list(dict.fromkeys(mine)), list(dict.fromkeys(others))


def covers(distribution: dict) -> str:
    """What a digest stands for, from the engine's distribution inspect of ``repo@digest``."""
    media = (distribution.get("Descriptor") or {}).get("mediaType", "")
    platforms = [p for p in (distribution.get("Platforms") or []) if p.get("architecture") not in (None, "unknown")]
    names = ", ".join(dict.fromkeys(platform_name(p) for p in platforms))
    if media in LISTS:
        return f"a manifest list of {names or 'platforms the registry did not name'}"
    return f"a single-platform manifest ({names or 'platform not named'}): it builds for that platform only"


def pin_for(written: str, attrs: dict, distribution=None) -> RegistryPin:
    """The portable pin of ``written`` from its image's inspect ``attrs``.

    Args:
        written: the base as written in the Dockerfile.
        attrs: the local image's inspect (``RepoDigests``).
        distribution: ``ref -> distribution inspect`` (the engine asking the registry), or None; it
            may raise when no registry is reachable, and then what the digest covers is not said.
    """
    repository = parse(written).repository
    mine, others = choose(written, attrs.get("RepoDigests") or [])
    if not mine:
        where = (f"; the engine has digests of {', '.join(others)} only, which {repository} may not serve"
                 if others else "")
        return RegistryPin(written, None, why_not=f"{written}: the image here has no registry digest for "
                           f"{repository} (built on this machine, or never pulled from there){where}")
    digest, what = mine[0], ""
    if len(mine) > 1 and distribution is not None:
        try:  # several pulls of the same repository: the registry says which one the tag serves now
            served = (distribution(written).get("Descriptor") or {}).get("digest")
        except Exception:  # noqa: BLE001 - no registry here: keep the first, and say there were several
            served = None
        digest = served if served in mine else digest
    if len(mine) > 1:
        what = f"one of {len(mine)} digests the engine recorded for {repository}; "
    name = written.split("@", 1)[0]
    if distribution is not None:
        try:
            what += covers(distribution(f"{name}@{digest}"))
        except Exception as exc:  # noqa: BLE001 - docker's errors for an unreachable registry vary
            what += (f"whether it is a manifest list was not asked ({parse(written).domain} is not reachable "
                     f"here: {unreachable(exc)})")
    return RegistryPin(written, f"{name}@{digest}", covers=what.rstrip("; "))


def unreachable(exc: Exception) -> str:
    return str(getattr(exc, "explanation", "") or exc)[:160]


def pin_from_registry(written: str, distribution) -> RegistryPin:
    """The pin of a base the engine's image store does not hold: BuildKit pulls bases into a store
    of its own, so no RepoDigest was recorded, and the registry the engine pulls from is asked
    what it serves for ``written``."""
    domain = parse(written).domain
    try:
        answer = distribution(written)
    except Exception as exc:  # noqa: BLE001 - docker's errors for an unreachable registry vary
        return RegistryPin(written, None, why_not=f"{written}: not in the engine's image store, and {domain} "
                           f"could not be asked for its digest ({unreachable(exc)})")
    digest = (answer.get("Descriptor") or {}).get("digest")
    if not digest:
        return RegistryPin(written, None, why_not=f"{written}: {domain} named no digest for it")
    return RegistryPin(written, f"{written}@{digest}", covers=f"{covers(answer)}; what {domain} served for "
                       f"{written} when this file was generated (BuildKit pulled it; no local RepoDigest)")


def resolve(written: str) -> RegistryPin:
    """:func:`pin_for` on this engine: the local image's inspect, the registry asked through the engine;
    :func:`pin_from_registry` for a base only BuildKit's own store holds."""
    import docker.errors

    from helpers.engine import connect

    cli = connect.client(timeout=30)
    try:
        attrs = cli.images.get(written).attrs
    except docker.errors.ImageNotFound:
        return pin_from_registry(written, cli.api.inspect_distribution)
    return pin_for(written, attrs, cli.api.inspect_distribution)
