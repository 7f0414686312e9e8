"""Build a variant on the engine, run its smoke command, measure it: proof, not promise.

Builds run in a temporary copy of the context (``helpers.builds.workspace.context_copy``) with
the generated files placed inside it, so the user's tree is never written. A code-change
rebuild edits a source file's CONTENT in that copy (``Workspace.change_content``: a comment in
the file's own language; BuildKit keys on content, touching changes nothing).
"""

from __future__ import annotations

from helpers.builds.workspace import Workspace
from helpers.engine import buildkit, containers, images

FREEZE = ["-m", "pip", "freeze", "--all"]
# Fallback where pip is absent (a minimal runtime, a uv or pip-less venv): what importlib.metadata sees is installed.
METADATA_FREEZE = ["-c", "import importlib.metadata as m; "
                   "print('\\n'.join(sorted({d.metadata['Name'] + '==' + d.version for d in m.distributions()})))"]


def build(workspace: Workspace, dockerfile_name: str, tag: str, build_args: dict[str, str] | None = None,
          label: str | None = None):
    """Build one generated Dockerfile in the workspace, drawing live progress where a terminal shows it."""
    from helpers.builds import live_progress

    live = live_progress.reporter()
    shown = label or f"{tag.rsplit(':', 1)[-1]}: build"
    live.start(shown)
    result = buildkit.build(workspace.context, workspace.context / dockerfile_name, tag, build_args=build_args,
                            check=False, on_line=live.line if live.active else None)
    live.done(shown, result.seconds, result.ok)
    return result


def run(image_id: str, command: list[str], timeout_s: float = 300,
        options: containers.RunOptions | None = None) -> tuple[int, str]:
    """Run ``command`` in a fresh container of the image (entrypoint reset); exit code and output."""
    result = containers.run(image_id, command, timeout_s=timeout_s, options=options)
    return (-1 if result.exit_code is None else result.exit_code), result.output


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
    inspect = images.inspect(image_id)
    return int(inspect["Size"]), len(inspect.get("RootFS", {}).get("Layers", []))
