"""The measurement API notebooks call: an image's static report and its runtime checks.

The engine is asked only for what it alone knows (inspect, the saved layers, a running
container); everything computed from that lives in ``helpers.measure`` as pure functions.
"""

from __future__ import annotations

from pathlib import Path

from helpers.measure.report import ImageReport


def measure_image(tag: str, dockerfile: str | Path | None = None, *, compressed: bool = True,
                  target: str | None = None, source: str = "auto") -> ImageReport:
    """Sizes, layers by Dockerfile line, reclaimable bytes, build tools, unwanted files, user.

    Args:
        tag: an image in the engine.
        dockerfile: the Dockerfile that built it, to attribute each layer to its line.
        compressed: also gzip every layer (level 6) for the size a registry stores; costs a
            full read of the image (about 10 s per GB here) and needs the layer tars, so the
            image is exported with ``docker save``.
        target: the stage built, if not the last.
        source: ``auto`` reads the layers from the engine's overlay2 layer store when it can
            (a local engine, readable data root, no compressed size asked for) and exports
            the image with ``docker save`` otherwise; ``save`` always exports. Both give the
            same entries; ``report.source`` says which was used and, for a fallback, why.
    """
    from helpers.engine import images
    from helpers.measure.report import analyse

    text = Path(dockerfile).read_text() if dockerfile else None
    inspect = images.inspect_local(tag) or images.inspect(tag)
    report, why = None, "asked for" if source == "save" else "the compressed size needs the layer tars"
    if source == "auto" and not compressed:
        from helpers.layerstore import LayerStoreImage, LayerStoreUnavailable

        try:
            with LayerStoreImage(inspect) as image:
                report = analyse(image, inspect, text, compressed=False, target=target)
            report.source = image.source
        except LayerStoreUnavailable as exc:
            why = str(exc)
    if report is None:
        from helpers.imagefs import SavedImage

        with images.saved(tag) as path, SavedImage(path) as image:
            report = analyse(image, inspect, text, compressed=compressed, target=target)
        report.source = f"docker save ({why})"
    report.tag = tag
    return report


def measure_archive(path: str | Path, dockerfile: str | Path | None = None, *, compressed: bool = True,
                    target: str | None = None) -> ImageReport:
    """``measure_image`` for a ``docker save`` tarball: no engine needed (its Size is then the
    tarball's content sum, which equals the engine's for layers built from a Dockerfile)."""
    from helpers.imagefs import SavedImage
    from helpers.measure.report import analyse

    text = Path(dockerfile).read_text() if dockerfile else None
    with SavedImage(path) as image:
        report = analyse(image, None, text, compressed=compressed, target=target)
    report.source = "docker save archive"
    return report


def runtime_passed(result: dict) -> bool:
    """Whether every runtime check passed (a configured health check reached ``healthy``, the
    smoke command passed): only then is the result worth remembering; a failure is checked again."""
    health_ok = not result.get("healthcheck") or result.get("health") == "healthy"
    smoke = result.get("smoke")
    return health_ok and (smoke is None or bool(smoke.get("ok")))


def runtime_checks(tag: str, smoke: list[str] | None = None, expect: str | None = None,
                   health_timeout_s: float = 60) -> dict:
    """Start the image and check what only a running container shows.

    Returns a dict: ``configured_user``; ``actual_uid`` (pid 1's uid in a container running the
    image's own command); ``healthcheck`` (configured or not) and ``health`` (``healthy``,
    ``unhealthy``, ``timeout``, ``exited`` or ``none``) with ``health_seconds`` and the last
    probes' output in ``health_log``; and, when
    ``smoke`` is given, ``smoke`` with its exit code, whether the output contained ``expect``,
    and the output's tail.
    """
    from helpers.engine import containers, images

    config = images.inspect(tag).get("Config") or {}
    result: dict = {"tag": tag, "configured_user": config.get("User") or "",
                    "healthcheck": bool(config.get("Healthcheck")) and
                    (config["Healthcheck"].get("Test") or ["NONE"])[0] != "NONE"}
    with containers.started(tag) as container:
        container.reload()
        uid = containers.actual_uid(container) if container.status == "running" else None
        if uid is not None:
            result["actual_uid"] = uid
        else:  # the image's command exited (at once, or while we asked): ask a one-off container instead
            probe = containers.run(tag, ["cat", "/proc/self/status"])
            result["actual_uid"] = containers.parse_proc_status_uid(probe.output)
        status, waited = containers.wait_health(container, health_timeout_s)
        result["health"], result["health_seconds"] = status, round(waited, 1)
        result["health_log"] = containers.health_log(container)
        if status in ("unhealthy", "exited", "timeout"):
            result["container_log_tail"] = container.logs(tail=20).decode(errors="replace")
    if smoke:
        run = containers.run(tag, smoke)
        result["smoke"] = {"command": smoke, "exit_code": run.exit_code,
                           "ok": run.ok and (expect is None or expect in run.output),
                           "output_tail": run.output[-500:]}
    return result
