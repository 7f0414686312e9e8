"""The engine's GPU support: the container runtimes it offers, and a run with every GPU (`--gpus all`)."""

from __future__ import annotations

from helpers.engine import connect, containers

NVIDIA = "nvidia"  # the runtime `--gpus all` needs (the NVIDIA container toolkit)


def runtimes(cli=None) -> list[str]:
    """The container runtimes the engine offers (``docker info``'s Runtimes: runc, nvidia...)."""
    cli = cli or connect.client()
    return sorted(cli.info().get("Runtimes") or {})


def run_with_all_gpus(image: str, command: list[str], timeout_s: float = 120, cli=None) -> containers.RunResult:
    """``command`` in a fresh container of ``image`` with every GPU attached, as ``docker run --gpus all``."""
    import docker.types

    return containers.run(image, command, timeout_s=timeout_s, cli=cli,
                          device_requests=[docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])])
