"""Build a variant on the engine, run its smoke command, measure it: proof, not promise.

Builds run in a temporary copy of the context with the generated files placed beside the
Dockerfile, so the user's tree is never written. A code-change rebuild edits a source file's
CONTENT in that copy (BuildKit keys on content; touching changes nothing).
"""

from __future__ import annotations

import shlex
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from helpers.engine import buildkit, connect, containers

FREEZE = ["-m", "pip", "freeze", "--all"]
# Fallback where pip is absent (a minimal runtime, a uv or pip-less venv): what importlib.metadata sees is installed.
METADATA_FREEZE = ["-c", "import importlib.metadata as m; "
                   "print('\\n'.join(sorted({d.metadata['Name'] + '==' + d.version for d in m.distributions()})))"]


@dataclass
class Smoke:
    ok: bool
    output: str
    shown: str = ""  # the `docker run` line, entrypoint override included


class Workspace:
    """A throwaway copy of the build context holding every generated Dockerfile and file."""

    def __init__(self, context_dir: Path):
        self._tmp = tempfile.TemporaryDirectory(prefix="dockopt-variants-")
        self.root = Path(self._tmp.name) / "context"
        shutil.copytree(context_dir, self.root, symlinks=True)

    def place(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def change_code(self, relpath: str, marker: str) -> None:
        path = self.root / relpath
        path.write_text(path.read_text() + f"\n# dockopt code change: {marker}\n")

    def close(self) -> None:
        self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def build(workspace: Workspace, dockerfile_name: str, tag: str, build_args: dict[str, str] | None = None,
          label: str | None = None):
    """Build one generated Dockerfile in the workspace, drawing live progress where a terminal shows it."""
    from helpers.builds import live_progress

    live = live_progress.reporter()
    shown = label or f"{tag.rsplit(':', 1)[-1]}: build"
    live.start(shown)
    result = buildkit.build(workspace.root, workspace.root / dockerfile_name, tag, build_args=build_args, check=False,
                            on_line=live.line if live.active else None)
    live.done(shown, result.seconds, result.ok)
    return result


def run(image_id: str, command: list[str], timeout_s: float = 300,
        options: containers.RunOptions | None = None) -> tuple[int, str]:
    """Run ``command`` in a fresh container of the image (entrypoint reset); exit code and output."""
    result = containers.run(image_id, command, timeout_s=timeout_s, options=options)
    return (-1 if result.exit_code is None else result.exit_code), result.output


def smoke(image_id: str, command: str | list[str], expect: str | None,
          options: containers.RunOptions | None = None) -> Smoke:
    """The user's smoke command, an extra check beside the ship check (entrypoint overridden, said so)."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    result = containers.run(image_id, argv, timeout_s=300, options=options)
    ok = result.ok and (expect is None or expect in result.output)
    return Smoke(ok, result.output.strip()[-2000:], result.shown)


def freeze(image_id: str, python: str = "python") -> list[str]:
    """What Python distributions ``python`` in the image sees, as pip freeze lines.

    ``python`` is the interpreter the app runs with (``helpers.variants.venvs.interpreter``: the
    virtualenv's, else the one on the image's PATH), so the pins are those of the environment
    the app uses, never of a system interpreter beside it.
    """
    code, output = run(image_id, [python, *FREEZE])
    if code != 0:
        code, output = run(image_id, [python, *METADATA_FREEZE])
    return output.splitlines() if code == 0 else []


def measure(image_id: str) -> tuple[int, int]:
    """Uncompressed size (what `docker images` shows) and the number of filesystem layers."""
    image = connect.client().images.get(image_id)
    return int(image.attrs["Size"]), len(image.attrs.get("RootFS", {}).get("Layers", []))
