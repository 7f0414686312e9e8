"""Build one Dockerfile for several platforms and prove each image is what it claims to be.

The host's platform builds natively; another (arm64 on amd64) builds with its RUN steps under
QEMU emulation, on base images of its own architecture. A tag on this engine holds one
platform, so each platform's image gets its own tag (``REPO:NAME-arm64``). An image counts as
built for a platform only when the engine's inspect says that ``Architecture``, and as working
only when its smoke command passes, run under the same emulation. The Dockerfile names its bases
as a user's registry knows them (one name for every platform); a foreign platform is built from a
temporary copy that names dockopt's own bases by that platform's tags
(``helpers.engine.platform_bases``). A platform that cannot be had here is reported as
"skipped: why", never faked; so is a platform the Dockerfile's digest pins leave out (a base
pinned to an amd64-only digest cannot give an arm64 image).
"""

from __future__ import annotations

import re
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from helpers.engine import base_images, buildkit, connect, containers, emulation, platform_bases
from helpers.errors import DockoptError

DEFAULT_PLATFORMS = ("linux/amd64", "linux/arm64")


@dataclass(frozen=True)
class PlatformResult:
    """What happened for one platform.

    Attributes:
        platform: ``linux/arm64`` etc.
        tag: the image tag, when a build was attempted.
        built: the build succeeded and the image's Architecture is the platform's.
        seconds: wall time of the build command.
        size_bytes: uncompressed image size, as ``docker images`` shows it.
        arch: the Architecture the engine records for the image.
        emulated: its RUN steps and smoke command ran under QEMU, not natively.
        smoke_passed: None when no smoke command was given or nothing was built.
        smoke_seconds: wall time of the smoke run (container create to exit).
        skipped: why the platform was not attempted ("" when it was).
        error: why a build or a smoke run failed, with the evidence's tail.
    """

    platform: str
    tag: str = ""
    built: bool = False
    seconds: float | None = None
    size_bytes: int | None = None
    arch: str | None = None
    emulated: bool = False
    smoke_passed: bool | None = None
    smoke_seconds: float | None = None
    skipped: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.built and self.smoke_passed is not False

    def summary(self) -> str:
        if self.skipped:
            return f"skipped: {self.skipped}"
        if self.error:
            return f"failed: {self.error.splitlines()[0]}"
        return "ok"


def platform_tag(repo: str, name: str, platform: str) -> str:
    return f"{repo}:{name}-{base_images.arch_of(platform)}"


def smoke(cli, image_id: str, platform: str, command: list[str], expect: str) -> tuple[bool, float, str]:
    """Run ``command`` in the image (its ENTRYPOINT overridden, as every command of ours is);
    (passed, seconds, output). Passing the platform makes the engine run exactly this
    architecture instead of warning and guessing."""
    import docker.errors

    start = time.perf_counter()
    try:
        result = containers.smoke(image_id, command, expect, timeout_s=900, cli=cli, platform=platform)
    except docker.errors.APIError as exc:  # e.g. the image is not of this platform: the engine tries to pull
        return False, time.perf_counter() - start, f"the engine refused to run it: {exc.explanation or exc}"
    if result.exit_code != 0:
        return False, result.seconds, f"exit {result.exit_code}: {result.output[-1500:]}"
    return result.ok, result.seconds, result.output[-1500:]


def build_one(cli, context: Path, dockerfile: Path, platform: str, tag: str, *,
              build_args: dict[str, str], smoke_command: list[str] | None, smoke_expect: str,
              log=print) -> PlatformResult:
    """Build, inspect and smoke-test one platform whose prerequisites are in place."""
    arch = base_images.arch_of(platform)
    native = base_images.tags_for(arch).native
    log(f"building {tag} for {platform}{'' if native else ' under emulation'} ...")
    # The host's own platform is built without --platform, exactly as the other phases build
    # it, so it shares their BuildKit cache.
    result = buildkit.build(context, dockerfile, tag, build_args=build_args,
                            platform=None if native else platform, check=False)
    common = dict(platform=platform, tag=tag, seconds=result.seconds, emulated=not native)
    if not result.ok:
        return PlatformResult(**common, error=f"build exited {result.returncode}\n{result.log_tail(20)}")
    attrs = cli.images.get(result.image_id).attrs
    image_arch = attrs.get("Architecture")
    common.update(size_bytes=int(attrs.get("Size", 0)), arch=image_arch)
    if image_arch != arch:
        return PlatformResult(**common, error=f"the engine records Architecture {image_arch}, not {arch}")
    if not smoke_command:
        return PlatformResult(**common, built=True)
    log(f"smoke test of {tag}: {shlex.join(smoke_command)}")
    passed, seconds, out = smoke(cli, result.image_id, platform, smoke_command, smoke_expect)
    return PlatformResult(**common, built=True, smoke_passed=passed, smoke_seconds=seconds,
                          error="" if passed else f"smoke command did not print {smoke_expect!r}\n{out}")


def pinned_bases(text: str) -> list[str]:
    """The ``FROM`` references pinned by a literal digest (build-arg ones are set per build)."""
    refs = re.findall(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+@sha256:[0-9a-f]{64})\b", text, re.M | re.I)
    return list(dict.fromkeys(r for r in refs if "$" not in r))


def unpinned_for(dockerfile: Path, platform: str) -> str:
    """Why the Dockerfile cannot build for ``platform`` as written ("" when it can, or cannot tell):
    a base pinned to a loopback-registry digest that holds other platforms only. Building it
    anyway would run the wrong architecture's base or fail; saying so is the honest result."""
    from helpers.engine import registry

    arch = base_images.arch_of(platform)
    for ref in pinned_bases(Path(dockerfile).read_text(errors="replace")):
        held = registry.platforms_of(ref)
        if held is not None and not any(base_images.arch_of(p) == arch for p in held):
            return (f"its base {ref} is pinned to a digest of {', '.join(held) or 'no platform'} only "
                    f"(no {arch} image of it was there to pin when it was generated; for dockopt's own bases "
                    f"`dockopt base --platform {platform}` builds one, then generate it again)")
    return ""


def build_platforms(
    context: Path,
    dockerfile: Path,
    *,
    platforms: tuple[str, ...] | list[str] = DEFAULT_PLATFORMS,
    repo: str = "dockopt-platform/image",
    name: str = "latest",
    build_args: Callable[[str], dict[str, str]] | None = None,
    smoke_command: list[str] | None = None,
    smoke_expect: str = "",
    setup: bool = True,
    log=print,
) -> list[PlatformResult]:
    """Build ``dockerfile`` once per platform; one result per platform, in order.

    Args:
        context: the build context.
        dockerfile: the Dockerfile, built unchanged for every platform.
        platforms: ``linux/amd64``, ``linux/arm64``.
        repo, name: images are tagged ``repo:name-<arch>``.
        build_args: the build args for an architecture (``arm64`` -> {...}); a foreign
            architecture needs its own bases, e.g. ``helpers.sample.build_args``.
        smoke_command, smoke_expect: run in each image; it passes when the output holds
            ``smoke_expect``.
        setup: set up emulation and build the foreign base images where missing (root on
            Debian); False only detects, and skips a platform that is not ready.
        log: where progress sentences go.
    """
    cli = connect.client()
    results = []
    for platform in platforms:
        arch = base_images.arch_of(platform)
        status = emulation.ensure(arch, log=log) if setup else emulation.detect(arch)
        if not status.available:
            results.append(PlatformResult(platform, skipped=status.reason))
            continue
        uncovered = unpinned_for(dockerfile, platform)
        if uncovered:
            results.append(PlatformResult(platform, skipped=uncovered))
            continue
        native = base_images.tags_for(arch).native
        absent = [] if native or setup else base_images.missing(cli, arch)
        if absent:
            results.append(PlatformResult(platform, skipped=f"no {arch} base images ({', '.join(absent)}); "
                                          f"`dockopt base --platform {platform}` builds them"))
            continue
        try:
            if setup and not native:
                base_images.ensure_base_images(log=log, platform=platform)
            args = build_args(arch) if build_args else {}
        except DockoptError as exc:
            results.append(PlatformResult(platform, error=f"{exc.message}\n{exc.evidence[-1500:]}"))
            continue
        # The file names each base as the user wrote it; this engine keeps one platform per tag,
        # so a foreign build names dockopt's own bases by their platform's tags, in a copy only.
        with platform_bases.build_copy(dockerfile, arch, args) as (path, args, swaps):
            if swaps:
                log(f"{platform}: building with {', '.join(swaps)}")
            results.append(build_one(cli, context, path, platform, platform_tag(repo, name, platform),
                                     build_args=args, smoke_command=smoke_command, smoke_expect=smoke_expect,
                                     log=log))
    return results
