"""The measurement API notebooks call: an image's static report and its runtime checks.

The engine is asked only for what it alone knows (inspect, the saved layers, a running
container); everything computed from that lives in ``helpers.measure`` as pure functions.
"""

from __future__ import annotations

from pathlib import Path

from helpers.image.reader import ImageReader
from helpers.measure.report import ImageReport


def measure_image(tag: str, dockerfile: str | Path | None = None, *, compressed: bool = True,
                  target: str | None = None, source: str = "auto", history: Path | None = None) -> ImageReport:
    """Sizes, layers by Dockerfile line, reclaimable bytes, build tools, unwanted files, user.

    Args:
        tag: an image in the engine.
        dockerfile: the Dockerfile that built it, to attribute each layer to its line.
        compressed: also gzip every layer (level 6) for the size a registry stores; costs a
            full read of the image (about 10 s per GB per core here). From the layer store,
            each layer's tar is rebuilt from its tar-split record (byte-identical to the
            exported one) and the layers are compressed in parallel.
        target: the stage built, if not the last.
        source: ``auto`` reads the layers from the engine's overlay2 layer store when it can
            (a local engine, readable data root) and exports the image with ``docker save``
            otherwise; ``save`` always exports. Both give the same entries and sizes;
            ``report.source`` says which was used and, for a fallback, why.
        history: a history file remembering each layer's gzip size by diff id (from the layer
            store only), so layers shared between images are compressed once.
    """
    from helpers.engine import images
    from helpers.image.source import read_image
    from helpers.measure.report import analyse

    text = Path(dockerfile).read_text() if dockerfile else None
    inspect = images.inspect_local(tag) or images.inspect(tag)

    def measure(image: ImageReader) -> ImageReport:
        return analyse(image, inspect, text, compressed=compressed, target=target)

    report, where = read_image(tag, inspect, measure, source=source, gzip_history=history if compressed else None)
    report.source, report.tag = where, tag
    return report


def measure_archive(path: str | Path, dockerfile: str | Path | None = None, *, compressed: bool = True,
                    target: str | None = None) -> ImageReport:
    """``measure_image`` for a ``docker save`` tarball: no engine needed (its Size is then the
    tarball's content sum, which equals the engine's for layers built from a Dockerfile)."""
    from helpers.image.archive import SavedImage
    from helpers.measure.report import analyse

    text = Path(dockerfile).read_text() if dockerfile else None
    with SavedImage(path) as image:
        report = analyse(image, None, text, compressed=compressed, target=target)
    report.source = "docker save archive"
    return report


def runtime_passed(result: dict) -> bool:
    """Whether every runtime check passed (the image started as it ships, a configured health
    check reached ``healthy``, the smoke command passed): only then is the result worth
    remembering; a failure is checked again."""
    ships = result.get("ships")
    health_ok = not result.get("healthcheck") or result.get("health") == "healthy"
    smoke = result.get("smoke")
    return (ships is None or bool(ships.get("ok"))) and health_ok and (smoke is None or bool(smoke.get("ok")))


def runtime_checks(tag: str, smoke: list[str] | None = None, expect: str | None = None,
                   options=None) -> dict:
    """Start the image as it ships and check what only a running container shows.

    Returns a dict: ``configured_user``; ``ships`` (:class:`helpers.engine.ships.ShipCheck` as a
    dict: state, ok, how it was judged, the exact ``docker run``, log tail, uid, writes);
    ``actual_uid`` (pid 1's uid in that container, or of a one-off ``cat /proc/self/status``
    with the entrypoint overridden when the command exits at once); ``healthcheck`` (configured
    or not) and ``health`` (``healthy``, ``unhealthy``, ``timeout``, ``exited`` or ``none``)
    with ``health_seconds``; and, when ``smoke`` is given, ``smoke`` with the exact command run
    (entrypoint overridden), its exit code, whether the output contained ``expect``, and the
    output's tail.
    """
    from helpers.engine import containers, images, ships

    options = options or containers.RunOptions()
    config = images.inspect(tag).get("Config") or {}
    plan = ships.Plan.from_config(config)
    check = ships.check(tag, options)
    result: dict = {"tag": tag, "configured_user": config.get("User") or "", "healthcheck": bool(plan.healthcheck),
                    "ships": check.as_dict(), "actual_uid": check.uid}
    if check.uid is None:  # exited before it could be asked: the uid its USER gives a one-off command
        result["actual_uid"], _ = containers.uid_of_a_command(tag, options)
    result["health"] = health_state(plan, check)
    result["health_seconds"] = check.seconds
    if not check.ok:
        result["container_log_tail"] = check.log_tail
    if smoke:
        run = containers.smoke(tag, smoke, expect, options)
        result["smoke"] = {"command": run.command, "shown": run.shown, "exit_code": run.exit_code, "ok": run.ok,
                           "output_tail": run.output[-500:]}
    return result


def health_state(plan, check) -> str:
    """The HEALTHCHECK's verdict in the words the report uses; ``none`` without a HEALTHCHECK."""
    if not plan.healthcheck:
        return "none"
    if check.state in ("healthy", "unhealthy"):
        return check.state
    if check.state == "health timeout":
        return "timeout"
    return "exited" if check.state.startswith("exited") else check.state
