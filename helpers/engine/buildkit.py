"""Run BuildKit builds through the docker CLI that can (``docker_cli.find_client``), timed.

docker-py only drives the legacy builder, so builds go through a CLI: ``docker buildx build``
where buildx exists, else a pre-23 client with ``DOCKER_BUILDKIT=1``.
"""

from __future__ import annotations

import subprocess
import threading
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.engine import registry
from helpers.engine.docker_cli import BuildKitClient, find_client
from helpers.engine.labels import ours
from helpers.report.render_split import BUILDS, spent
from helpers.errors import BuildFailed


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


def needs_loopback_registry(dockerfile: Path) -> None:
    """Start dockopt's loopback registry when the Dockerfile builds FROM it.

    A base pinned by a manifest list's digest is resolved through the registry on every build
    (the engine stores per-platform images, never the list), so the registry must listen."""
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
