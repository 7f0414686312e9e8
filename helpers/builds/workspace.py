"""A throwaway copy of a build context where builds may edit and place files.

Code- and dependency-change rebuilds must change file CONTENT (BuildKit keys on content;
``touch`` changes nothing), and the user's tree must never be modified, so every edit
happens in a full copy under the system temp dir. The edit is a comment in the file's own
language (``change_line``), so it changes the bytes and never what the file does.

Two layouts, one class: the scenarios place the Dockerfile beside the copy with its own
``<name>.dockerignore`` if it has one (``copy_of``), so BuildKit applies the same exclusions as
it would to the original, and a Dockerfile inside the context is left in the copy untouched,
because ``COPY . .`` may ship it; the variants place every generated Dockerfile and file inside
the copy (``context_copy`` then ``place``), since what they generate is built from there.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from helpers.errors import DockoptError

COMMENT_PREFIX = {
    ".py": "#", ".toml": "#", ".txt": "#", ".cfg": "#", ".yaml": "#", ".yml": "#", ".sh": "#",
    ".r": "#", ".rb": "#", ".pl": "#", ".in": "#", ".lock": "#", "": "#",
    ".js": "//", ".ts": "//", ".go": "//", ".c": "//", ".h": "//", ".cc": "//", ".cpp": "//",
    ".java": "//", ".rs": "//", ".kt": "//", ".scala": "//", ".swift": "//", ".gradle": "//",
    ".css": "/*", ".html": "<!--", ".xml": "<!--",
}
COMMENT_SUFFIX = {"/*": " */", "<!--": " -->"}


def change_line(relpath: str, token: str, what: str) -> str:
    """A comment line for ``relpath``'s language: changes the bytes, never the behaviour."""
    suffix = Path(relpath).suffix.lower()
    if Path(relpath).name in ("Makefile", "Dockerfile", "Gemfile", "Pipfile"):
        suffix = ""
    if suffix not in COMMENT_PREFIX:
        raise DockoptError(
            f"dockopt does not know how to add a comment to {relpath} (a {suffix} file) for the "
            f"{what}-change rebuild.",
            hint="pass --code-file / --dependency-file naming a file with # or // comments.")
    prefix = COMMENT_PREFIX[suffix]
    return f"{prefix} dockopt {what} change {token}{COMMENT_SUFFIX.get(prefix, '')}"


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


@dataclass
class Workspace:
    root: Path  # the temporary folder holding everything; removed by ``close``
    context: Path  # the copy of the build context
    dockerfile: Path | None = None  # ``copy_of``: the Dockerfile placed beside the copy
    source_dockerfile: Path | None = None  # ``copy_of``: the user's Dockerfile it was copied from

    def place(self, files: dict[str, str]) -> None:
        """Write generated files (Dockerfiles, their ignore files, lock files) into the copy."""
        for name, text in files.items():
            path = self.context / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def set_cache_namespace(self, namespace: str | None) -> None:
        """Rewrite the placed Dockerfile with cache mounts under ``namespace`` (None: as written)."""
        if self.dockerfile is None or self.source_dockerfile is None:
            raise ValueError("only a workspace with a placed Dockerfile (copy_of) has cache mounts to rewrite")
        text = self.source_dockerfile.read_text()
        self.dockerfile.write_text(namespace_cache_mounts(text, namespace) if namespace else text)

    def change_content(self, relpath: str, token: str, what: str = "code") -> Path:
        """The content change a code- or dependency-change rebuild needs: a comment with ``token``
        in ``relpath``'s own language appended (a clear error for a file type without comments)."""
        return self.append_line(relpath, change_line(relpath, token, what))

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


def context_copy(context: Path) -> Workspace:
    """Copy ``context`` (symlinks kept as links) into a fresh temporary folder."""
    context = Path(context).resolve()
    root = Path(tempfile.mkdtemp(prefix="dockopt-ws-"))
    try:
        ctx = root / "context"
        shutil.copytree(context, ctx, symlinks=True)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return Workspace(root, ctx)


def copy_of(context: Path, dockerfile: Path) -> Workspace:
    """Copy ``context`` and place ``dockerfile`` beside it, with its own ignore file."""
    dockerfile = Path(dockerfile).resolve()
    ws = context_copy(context)
    try:
        placed = ws.root / "dockerfile" / dockerfile.name
        placed.parent.mkdir()
        shutil.copy2(dockerfile, placed)
        ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
        # Without its own ignore file BuildKit falls back to the context's .dockerignore,
        # which the copy carries.
        if ignore.is_file():
            shutil.copy2(ignore, placed.with_name(ignore.name))
    except BaseException:
        ws.close()
        raise
    ws.dockerfile, ws.source_dockerfile = placed, dockerfile
    return ws
