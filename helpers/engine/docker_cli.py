"""Which docker CLI on this machine can build with BuildKit.

docker-py only drives the legacy builder, so builds (and a push to the loopback registry) go
through a CLI: ``docker buildx build`` where buildx exists, else a pre-23 client with
``DOCKER_BUILDKIT=1`` (its BuildKit is built in; 23+ clients delegate to buildx and fail without
it). Finding that client is its own module because both the builder (``buildkit``) and the
loopback registry (``registry``) need it, and the builder needs the registry.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from helpers.errors import NoBuildKitClient

CANDIDATE_PATHS = ("/usr/bin/docker", "/usr/local/bin/docker")


@dataclass(frozen=True)
class BuildKitClient:
    path: str
    mode: str  # "buildx" or "DOCKER_BUILDKIT=1"
    version: str

    def build_argv(self) -> list[str]:
        return [self.path, "buildx", "build", "--load"] if self.mode == "buildx" else [self.path, "build"]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.mode != "buildx":
            env["DOCKER_BUILDKIT"] = "1"
        return env


def client_version(path: str) -> str | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"version\s+([0-9][^\s,]*)", out)
    return match.group(1) if match else None


def has_buildx(path: str) -> bool:
    try:
        return subprocess.run([path, "buildx", "version"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def candidate_clients() -> list[str]:
    seen, found = set(), []
    for path in [shutil.which("docker"), *CANDIDATE_PATHS]:
        if path and os.access(path, os.X_OK) and os.path.realpath(path) not in seen:
            seen.add(os.path.realpath(path))
            found.append(path)
    return found


def classify(path: str, version: str | None, buildx: bool) -> BuildKitClient | None:
    """The BuildKit mode a client supports, or None (pure: testable without any docker)."""
    if buildx:
        return BuildKitClient(path, "buildx", version or "?")
    if version and int(version.split(".")[0]) < 23:
        return BuildKitClient(path, "DOCKER_BUILDKIT=1", version)
    return None


def find_client() -> BuildKitClient:
    found = [classify(p, client_version(p), has_buildx(p)) for p in candidate_clients()]
    usable = [c for c in found if c]
    if not usable:
        tried = ", ".join(candidate_clients()) or "none on PATH"
        raise NoBuildKitClient(
            f"No docker client here can build with BuildKit (tried: {tried}).",
            hint="install the buildx plugin (`apt-get install docker-buildx` or docker-buildx-plugin), "
            "or Debian's docker.io, whose 20.10 client builds with DOCKER_BUILDKIT=1.",
        )
    return sorted(usable, key=lambda c: c.mode != "buildx")[0]
