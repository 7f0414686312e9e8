"""A throwaway copy of a build context where scenarios may edit files.

Code- and dependency-change rebuilds must change file CONTENT (BuildKit keys on content;
``touch`` changes nothing), and the user's tree must never be modified, so every edit
happens in a full copy under the system temp dir. The Dockerfile is placed beside the copy
with its own ``<name>.dockerignore`` if it has one, so BuildKit applies the same exclusions
as it would to the original; a Dockerfile inside the context is also left in the copy
untouched, because ``COPY . .`` may ship it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

_CACHE_MOUNT = re.compile(r"--mount=(\S*type=cache\S*)")


def namespace_cache_mounts(text: str, namespace: str) -> str:
    """Give every ``RUN --mount=type=cache`` its own id under ``namespace``.

    BuildKit shares cache mounts engine-wide by id (default: the target path), so a "cold"
    build on a shared engine would otherwise start with whatever any other build left there.
    A fresh namespace gives an empty mount without pruning anyone else's cache; the mounts'
    targets, sharing and behaviour are unchanged.
    """
    def rewrite(match: re.Match) -> str:
        options = match.group(1).split(",")
        keys = {o.split("=", 1)[0]: i for i, o in enumerate(options)}
        if "id" in keys:
            i = keys["id"]
            options[i] = f"id={namespace}-{options[i].split('=', 1)[1]}"
        else:
            target = next((o.split("=", 1)[1] for o in options
                           if o.split("=", 1)[0] in ("target", "dst", "destination")), "")
            options.append(f"id={namespace}-{target}")
        return "--mount=" + ",".join(options)
    return _CACHE_MOUNT.sub(rewrite, text)


def has_cache_mounts(text: str) -> bool:
    return bool(_CACHE_MOUNT.search(text))


@dataclass
class Workspace:
    root: Path
    context: Path
    dockerfile: Path
    source_dockerfile: Path

    def set_cache_namespace(self, namespace: str | None) -> None:
        """Rewrite the placed Dockerfile with cache mounts under ``namespace`` (None: as written)."""
        text = self.source_dockerfile.read_text()
        self.dockerfile.write_text(namespace_cache_mounts(text, namespace) if namespace else text)

    def append_line(self, relpath: str, line: str) -> Path:
        """Change a file's content by appending one line (a comment, so behaviour is unchanged)."""
        path = self.context / relpath
        if not path.is_file():
            raise FileNotFoundError(f"{relpath} is not a file in the build context {self.context}")
        text = path.read_text()
        if text and not text.endswith("\n"):
            text += "\n"
        path.write_text(text + line + "\n")
        return path

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def copy_of(context: Path, dockerfile: Path) -> Workspace:
    """Copy ``context`` (symlinks kept as links) and place ``dockerfile`` beside it."""
    context, dockerfile = Path(context).resolve(), Path(dockerfile).resolve()
    root = Path(tempfile.mkdtemp(prefix="dockopt-ws-"))
    try:
        ctx = root / "context"
        shutil.copytree(context, ctx, symlinks=True)
        placed = root / "dockerfile" / dockerfile.name
        placed.parent.mkdir()
        shutil.copy2(dockerfile, placed)
        ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
        # Without its own ignore file BuildKit falls back to the context's .dockerignore,
        # which the copy carries.
        if ignore.is_file():
            shutil.copy2(ignore, placed.with_name(ignore.name))
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return Workspace(root, ctx, placed, dockerfile)
