"""What the engine knows about an image: inspect, history, and its layers as a saved tarball.

Everything goes through the docker SDK (no CLI output to scrape). ``saved`` streams the
archive to a temporary file in chunks, so a multi-gigabyte image never sits in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from helpers.engine import connect
from helpers.errors import DockoptError, EngineUnavailable

SAVE_CHUNK = 4 << 20


class ImageNotFound(DockoptError):
    """The image named is not in the engine."""


def _get(cli, tag: str):
    import docker.errors

    try:
        return cli.images.get(tag)
    except docker.errors.ImageNotFound:
        raise ImageNotFound(f"The engine has no image {tag!r}.",
                            hint="build it first, or check the name with `docker images`.") from None


def inspect(tag: str, cli=None) -> dict:
    """``docker image inspect`` as a dict (Size, RootFS.Layers, Config.User, Config.Healthcheck...)."""
    cli = cli or connect.client()
    return cli.api.inspect_image(_get(cli, tag).id)


def inspect_local(tag: str) -> dict | None:
    """``inspect`` over the engine's unix socket with the standard library alone, or None when
    the endpoint is not a unix socket (then use ``inspect``).

    The docker SDK costs about 20 MB of memory and 0.3 s to import; ``dockopt inspect`` reading
    the layer store needs nothing else from the engine than this one call.
    """
    import http.client
    import socket
    from urllib.parse import quote

    endpoint = connect.find_endpoint()
    if not endpoint.host.startswith("unix://"):
        return None
    path = endpoint.host[len("unix://"):]

    class UnixConnection(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(self.timeout)
            self.sock.connect(path)

    conn = UnixConnection("localhost", timeout=60)
    try:
        conn.request("GET", f"/images/{quote(tag, safe='/:@')}/json")
        response = conn.getresponse()
        body = response.read()
    except OSError as exc:
        raise EngineUnavailable(
            f"No Docker engine answers at {endpoint.host} (from {endpoint.source}).",
            hint="start one with `make engine` (Debian, as root), `sudo systemctl start docker`, "
            "or point DOCKER_HOST at a running engine.", evidence=str(exc)) from None
    finally:
        conn.close()
    if response.status == 404:
        raise ImageNotFound(f"The engine has no image {tag!r}.",
                            hint="build it first, or check the name with `docker images`.")
    if response.status != 200:
        raise EngineUnavailable(f"The engine answered {response.status} to an image inspect of {tag!r}.",
                                evidence=body.decode(errors="replace")[-500:])
    return json.loads(body)


def history(tag: str, cli=None) -> list[dict]:
    """``docker history``, newest first, with the per-entry Size the engine recorded."""
    cli = cli or connect.client()
    return cli.api.history(_get(cli, tag).id)


def exists(tag: str, cli=None) -> bool:
    try:
        _get(cli or connect.client(), tag)
    except ImageNotFound:
        return False
    return True


def image_id(ref: str, cli=None) -> str | None:
    """The id of the image ``ref`` names on the engine, None when the engine has none."""
    try:
        return _get(cli or connect.client(), ref).id
    except ImageNotFound:
        return None


def tag(image: str, ref: str, cli=None) -> None:
    """Point the tag ``ref`` (``repo[:tag]``) at ``image``, moving it off whatever image it named."""
    from docker.utils import parse_repository_tag

    repository, name = parse_repository_tag(ref)
    (cli or connect.client()).api.tag(image, repository, name or "latest", force=True)


def remove_tag(tag: str, cli=None) -> None:
    """Untag ``tag``, removing the image when nothing else holds it. Best effort, for a clean-up:
    a tag already gone or an engine that went away is left to `dockopt clean`."""
    import docker.errors

    try:
        (cli or connect.client()).images.remove(tag, noprune=False)
    except (docker.errors.APIError, OSError):  # OSError: the engine went away (requests' ConnectionError)
        pass


def prune_dangling(label: str, cli=None) -> None:
    """Remove the untagged images carrying ``label`` (``key=value``): what rebuilds left behind."""
    (cli or connect.client()).images.prune(filters={"dangling": True, "label": label})


def save(tag: str, dest: Path, cli=None) -> Path:
    """Write ``docker save TAG`` to ``dest``, chunk by chunk."""
    import errno

    cli = cli or connect.client()
    image = _get(cli, tag)
    try:
        with open(dest, "wb") as fh:
            for chunk in image.save(chunk_size=SAVE_CHUNK, named=tag if tag in image.tags else False):
                fh.write(chunk)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        size = int(image.attrs.get("Size", 0))
        raise DockoptError(
            f"No space left in {dest.parent} to export {tag} (about {size / 1e9:.1f} GB needed).",
            hint="free space there, or point DOCKOPT_TMP at a directory with room.") from None
    return dest


@contextlib.contextmanager
def saved(tag: str, cli=None, directory: str | None = None) -> Iterator[Path]:
    """The image as a ``docker save`` tarball on disk for the duration of the block, then deleted.

    Args:
        directory: where to write it (default: the system temp dir, or DOCKOPT_TMP).
    """
    directory = directory or os.environ.get("DOCKOPT_TMP") or None
    fd, name = tempfile.mkstemp(prefix="dockopt-save-", suffix=".tar", dir=directory)
    os.close(fd)
    path = Path(name)
    try:
        yield save(tag, path, cli)
    finally:
        path.unlink(missing_ok=True)
