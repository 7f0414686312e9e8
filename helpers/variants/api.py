"""derive_variants: what the CLI and the notebooks call to get phase 1-3 Dockerfiles, built and checked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from helpers.dockerfile.model import parse_text
from helpers.engine.containers import RunOptions
from helpers.engine.ships import ShipCheck
from helpers.errors import DockoptError
from helpers.variants import phases, venvs
from helpers.variants.doc import Doc
from helpers.variants.transform import Outcome, Project

TAG_PREFIX = "dockopt-variants"


@dataclass
class VariantResult:
    """One Dockerfile (the original or a generated phase) and, when built, what it measured.

    ``diff`` is the unified diff against the previous entry; ``error`` says why a build or
    smoke test failed, with the log tail, so a broken variant is reported, never hidden.
    """

    name: str
    dockerfile: Path
    text: str
    outcomes: list[Outcome] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # generated files beside it (.dockerignore, constraints)
    diff: str = ""
    tag: str | None = None
    image_id: str | None = None
    build_seconds: float | None = None
    size_bytes: int | None = None
    layers: int | None = None
    smoke_ok: bool | None = None
    smoke_output: str = ""
    smoke_shown: str = ""  # the `docker run` line of the smoke command (entrypoint overridden)
    ships: ShipCheck | None = None  # the image started as it ships (own ENTRYPOINT/CMD), judged
    broken: bool = False  # the original passes the ship check and this variant does not
    rebuild_seconds: float | None = None  # after a content change of the code file (one measurement)
    error: str = ""

    @property
    def applied(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.applied]

    @property
    def skipped(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.applied]

    @property
    def ok(self) -> bool:
        return not self.error and self.smoke_ok is not False and not self.broken

    def ships_line(self) -> str:
        if self.ships is None:
            return "not started"
        return f"{'starts' if self.ships.ok else 'BROKEN' if self.broken else 'does not start'}: {self.ships.how}"


def slug(context: Path) -> str:
    """The context folder's name and a hash of its path: two projects never share a tag."""
    from helpers.builds.image_names import context_slug

    return context_slug(context)


def refuse_unrewritable(text: str, path: Path) -> None:
    """Heredocs: this engine cannot build them, and rewriting their bodies is not safe to guess."""
    heredocs = [p for p in parse_text(text, path).problems if p.kind == "heredoc"]
    if heredocs:
        raise DockoptError(f"{path}:{heredocs[0].line}: {heredocs[0].message}; dockopt does not rewrite heredocs",
                           hint="turn the heredoc into a RUN with && (or a script file COPYed in), then run again")


def generate(project: Project, out_dir: Path) -> list[VariantResult]:
    """Derive and write every phase (no engine needed, except for digests and the freeze)."""
    original_text = project.dockerfile.read_text()
    refuse_unrewritable(original_text, project.dockerfile)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = [VariantResult("original", project.dockerfile, original_text)]
    doc, previous = Doc.from_text(original_text), project.dockerfile.name
    for phase in phases.PHASES:
        doc, outcomes = phases.derive(doc, phase, project, previous)
        name = f"Dockerfile.{phase}"
        text = doc.render()
        path = out_dir / name
        path.write_text(text)
        written = []
        if doc.dockerignore is not None:
            ignore = out_dir / f"{name}.dockerignore"
            ignore.write_text(doc.dockerignore)
            written.append(ignore)
        for file_name, content in doc.files.items():
            (out_dir / file_name).write_text(content)
            written.append(out_dir / file_name)
        diff = phases.unified_diff(results[-1].text, text, results[-1].dockerfile.name, name)
        results.append(VariantResult(phase, path, text, outcomes, written, diff))
        previous = name
    return results


def derive_variants(context: str | Path, dockerfile: str | Path, out_dir: str | Path, smoke: str | None = None,
                    build: bool = True, *, expect: str | None = None, healthcheck: str | None = None,
                    code_file: str | None = None, build_args: dict[str, str] | None = None,
                    rebuild: bool = True, tag_prefix: str = TAG_PREFIX, run_env: dict[str, str] | None = None,
                    run_args: list[str] | None = None, settle_s: float | None = None,
                    log=lambda msg: None) -> list[VariantResult]:
    """Write Dockerfile.phase1-3 (+ ignore files, constraints) into ``out_dir``; build and check them.

    Args:
        context: the build context (never modified: builds use a temporary copy).
        dockerfile: the original Dockerfile.
        out_dir: where the generated files go.
        smoke: command run in every built image (shell words); None to only build.
        build: False writes the files without an engine (no digests, no freeze-based pins).
        expect: text the smoke output must contain.
        healthcheck: the app's health command, when it has one dockopt cannot infer.
        code_file: context-relative file whose content is changed for the code-change rebuild.
        build_args: ``--build-arg`` values for every build.
        rebuild: measure the code-change rebuild (one measurement per variant).
        run_env: ``docker run -e`` values every started container gets (a database URL, a key).
        run_args: arguments given to the ENTRYPOINT in place of the image's CMD.
        settle_s: how long an image without HEALTHCHECK or EXPOSEd port must keep running.

    Every built image, the original included, is started as it ships (its own ENTRYPOINT and
    CMD, as its own user) and judged (``helpers.engine.ships``). What the original writes at
    start-up is handed to the non-root transform as evidence. A variant that fails where the
    original passes is *broken*: its files are renamed ``<name>.broken`` and its ``error`` says
    why, with the container's last log lines.

    Returns:
        The original first, then phase1..phase3, each with outcomes, diff and measurements.
    """
    context, dockerfile, out_dir = Path(context), Path(dockerfile), Path(out_dir)
    project = Project(context, dockerfile, healthcheck=healthcheck)
    if not build:
        return generate(project, out_dir)
    from helpers.builds import workspace
    from helpers.engine import registry_digest
    from helpers.variants import verify

    if rebuild and code_file:  # a file type without comment syntax is refused now, not after every build
        workspace.change_line(code_file, "", "code")
    tag = f"{tag_prefix}/{slug(context)}"
    options = RunOptions(dict(run_env or {}), list(run_args or []))
    check = Checks(smoke, expect, options, settle_s)
    with workspace.context_copy(context) as ws:
        ws.place({"Dockerfile.original": dockerfile.read_text()})
        original = build_one(ws, "Dockerfile.original", f"{tag}:original", build_args, check, log)
        if original.image_id:
            python = venvs.interpreter(Doc.from_text(dockerfile.read_text()))
            project.freeze = verify.freeze(original.image_id, python)
            project.extra["freeze_python"] = python
        project.extra.update(start_evidence(original))
        project.pin = registry_digest.resolve  # the digest the user's registry serves, never a loopback one
        results = generate(project, out_dir)
        results[0].__dict__.update({k: v for k, v in original.__dict__.items() if k not in ("name", "dockerfile", "text")})
        for result in results[1:]:
            files = {result.dockerfile.name: result.text, **{f.name: f.read_text() for f in result.files}}
            ws.place(files)
            measured = build_one(ws, result.dockerfile.name, f"{tag}:{result.name}", build_args, check, log)
            result.__dict__.update({k: v for k, v in measured.__dict__.items()
                                    if k in ("tag", "image_id", "build_seconds", "size_bytes", "layers", "smoke_ok",
                                             "smoke_output", "smoke_shown", "ships", "error")})
            judge(results[0], result, log)
        if rebuild and code_file:
            for result in results:
                if result.image_id:
                    # A fresh edit per variant: phases share builder stages, so one edit for all would let
                    # a later variant reuse what an earlier one's rebuild already built.
                    ws.change_content(code_file, uuid.uuid4().hex, "code")
                    name = "Dockerfile.original" if result.name == "original" else result.dockerfile.name
                    again = verify.build(ws, name, result.tag, build_args)
                    result.rebuild_seconds = round(again.seconds, 2) if again.ok else None
                    log(f"{result.name}: code-change rebuild {again.seconds:.1f}s")
    return results


@dataclass(frozen=True)
class Checks:
    """What every built image is put through: the ship check, and the user's smoke command."""

    smoke: str | None
    expect: str | None
    options: RunOptions
    settle_s: float | None


def start_evidence(original: VariantResult) -> dict:
    """What the original writes when it starts, for the non-root transform (None: it did not start)."""
    ships = original.ships
    if ships is None:
        return {}
    if not ships.ok:
        return {"start_writes": None,
                "start_evidence": f"the original did not start here ({ships.state}: {ships.how}; `{ships.command}`)"}
    return {"start_writes": list(ships.writes),
            "start_evidence": f"docker diff of the original started with its own ENTRYPOINT/CMD (`{ships.command}`), "
                              f"{ships.how}"}


def judge(original: VariantResult, result: VariantResult, log) -> None:
    """Mark a variant broken when it fails to start where the original starts; rename its files."""
    if result.ships is None or result.ships.ok or original.ships is None or not original.ships.ok:
        return
    result.broken = True
    result.error = (f"BROKEN: the original starts ({original.ships.how}) but {result.name} does not: "
                    f"{result.ships.how}\n`{result.ships.command}`\nlast log lines:\n{result.ships.log_tail}")
    renamed = []
    for path in [result.dockerfile, *result.files]:
        if path.exists():
            target = path.with_name(path.name.replace(result.dockerfile.name, result.dockerfile.name + ".broken", 1))
            path.rename(target)
            renamed.append(target)
    result.dockerfile, result.files = renamed[0], renamed[1:]
    log(f"{result.name}: BROKEN, written as {result.dockerfile.name}")


def build_one(ws, dockerfile_name: str, tag: str, build_args, check: Checks, log) -> VariantResult:
    from helpers.engine import containers, ships
    from helpers.variants import verify

    result = VariantResult(tag.rsplit(":", 1)[-1], Path(dockerfile_name), "", tag=tag)
    built = verify.build(ws, dockerfile_name, tag, build_args)
    result.build_seconds = round(built.seconds, 2)
    if not built.ok:
        result.error = f"build failed (exit {built.returncode}):\n{built.log_tail()}"
        log(f"{result.name}: build FAILED")
        return result
    result.image_id = built.image_id
    result.size_bytes, result.layers = verify.measure(built.image_id)
    result.ships = ships.check(tag, check.options,  # the tag, so the shown `docker run` reads as the user would type it
                               **({"settle_s": check.settle_s} if check.settle_s is not None else {}))
    if check.smoke:
        checked = containers.smoke(tag, check.smoke, check.expect, check.options)
        result.smoke_ok, result.smoke_shown = checked.ok, checked.shown
        result.smoke_output = checked.output.strip()[-2000:]
        if not checked.ok:
            result.error = f"smoke command failed: `{checked.shown}`\n{result.smoke_output[-1500:]}"
    log(f"{result.name}: built in {built.seconds:.1f}s, {result.size_bytes / 1e6:.0f} MB, {result.layers} layers, "
        f"{result.ships_line()}, smoke {'ok' if result.smoke_ok else 'n/a' if result.smoke_ok is None else 'FAILED'}")
    return result
