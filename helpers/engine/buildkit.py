"""Find a docker client that can build with BuildKit, and run builds through it.

docker-py only drives the legacy builder, so builds go through a CLI: ``docker buildx build``
where buildx exists, else a pre-23 client with ``DOCKER_BUILDKIT=1`` (its BuildKit is built in;
23+ clients delegate to buildx and fail without it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.engine.labels import ours
from helpers.report.render_split import BUILDS, spent
from helpers.errors import BuildFailed, NoBuildKitClient

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


@dataclass
class BuildResult:
    tag: str
    image_id: str | None
    seconds: float  # wall time of the docker build command, start to exit
    log: str  # --progress=plain output
    returncode: int
    argv: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and bool(self.image_id)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.splitlines()[-lines:])


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


def needs_loopback_registry(dockerfile: Path) -> None:
    """Start dockopt's loopback registry when the Dockerfile builds FROM it.

    A base pinned by a manifest list's digest is resolved through the registry on every build
    (the engine stores per-platform images, never the list), so the registry must listen."""
    from helpers.engine import registry

    try:
        text = Path(dockerfile).read_text(errors="replace")
    except OSError:
        return
    if f"{registry.REGISTRY}/" in text:
        registry.ensure_registry()


def build(
    context: Path,
    dockerfile: Path,
    tag: str,
    *,
    build_args: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    no_cache: bool = False,
    platform: str | None = None,
    target: str | None = None,
    client: BuildKitClient | None = None,
    timeout_s: float = 3600,
    check: bool = True,
    on_line=None,
) -> BuildResult:
    """Run one BuildKit build with plain progress; time it from start to exit.

    ``on_line`` receives each output line as it arrives (live progress); the log is kept whole.
    """
    client = client or find_client()
    needs_loopback_registry(dockerfile)
    with tempfile.TemporaryDirectory(prefix="dockopt-iid-") as tmp:
        iidfile = Path(tmp) / "iid"
        argv = [*client.build_argv(), "--progress=plain", "-f", str(dockerfile), "-t", tag,
                "--iidfile", str(iidfile)]
        for key, value in (build_args or {}).items():
            argv += ["--build-arg", f"{key}={value}"]
        for key, value in ours(labels).items():
            argv += ["--label", f"{key}={value}"]
        if no_cache:
            argv.append("--no-cache")
        if platform:
            argv += ["--platform", platform]
        if target:
            argv += ["--target", target]
        argv.append(str(context))
        start = time.perf_counter()
        with spent(BUILDS, tag):
            returncode, log = _run_streaming(argv, client.env(), timeout_s, on_line)
        seconds = time.perf_counter() - start
        image_id = iidfile.read_text().strip() if iidfile.exists() else None
    result = BuildResult(tag, image_id, seconds, log, returncode, argv)
    if check and not result.ok:
        raise BuildFailed(
            f"Building {dockerfile} (tag {tag}) failed with exit {returncode}.",
            hint="the log tail below shows the failing step.",
            evidence=result.log_tail(),
        )
    return result


def _run_streaming(argv: list[str], env: dict[str, str], timeout_s: float, on_line) -> tuple[int, str]:
    """Run the client, handing each output line to ``on_line`` as it comes; (exit code, whole log).

    stderr (where BuildKit writes its progress) and stdout are read as one stream. On timeout
    the client is killed and ``subprocess.TimeoutExpired`` raised, as ``subprocess.run`` does.
    """
    lines: list[str] = []
    timed_out = threading.Event()
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", stdin=subprocess.DEVNULL) as proc:
        def expire() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout_s, expire)
        timer.start()
        try:
            for line in proc.stdout:
                lines.append(line)
                if on_line is not None:
                    on_line(line.rstrip("\n"))
            proc.wait()
        except BaseException:
            proc.kill()
            raise
        finally:
            timer.cancel()
    if timed_out.is_set():
        raise subprocess.TimeoutExpired(argv, timeout_s, output="".join(lines))
    return proc.returncode, "".join(lines)
