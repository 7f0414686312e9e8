"""Timed build scenarios: cold, no-op, code-change and dependency-change rebuilds.

How each is produced (the report quotes ``METHODS``):

- cold: ``--no-cache`` (no layer is taken from the build cache) and every ``RUN
  --mount=type=cache`` given an id nobody has used (empty cache mounts) — the engine's other
  build cache is left alone, it is shared. Excluded from "cold": the base image (present, not
  pulled) and the time to start the docker client.
- noop: the same build again, nothing changed.
- code: one line (a comment with a unique token) appended to the code file's CONTENT.
- deps: one comment line with a unique token appended to the dependency manifest, which
  invalidates the install step without changing what is installed (so the time measured is
  the rebuild itself, not a different dependency set).

Everything happens on a temporary copy of the context (helpers.builds.workspace); builds run one
at a time (helpers.builds.buildlock). Each scenario is stored as soon as it is measured, so what
was measured survives a later failure. A scenario already measured under the same cache key
(Dockerfile, context, base image ids, engine, build args, repeats) is reused unless fresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from helpers import interrupts
from helpers.builds import build_cache, buildlock, context_digest, image_names, live_progress, progress, workspace
from helpers.dockerfile import steps as dockerfile_steps
from helpers.history import store
from helpers.history.code_version import package_digest
from helpers.report import render_split
from helpers.engine import buildkit, connect, images
from helpers.engine.labels import RENDER_LABEL, RUN_LABEL
from helpers.errors import BuildFailed, DockoptError, EngineUnavailable

SCENARIOS = ("cold", "noop", "code", "deps")
METHODS = {
    "cold": "--no-cache, cache mounts under a fresh id; base image present (not pulled)",
    "noop": "same context rebuilt, nothing changed",
    "code": "comment line with a unique token appended to the code file",
    "deps": "comment line with a unique token appended to the dependency manifest",
}
DISK_FULL = re.compile(r"no space left on device", re.I)


class BaseImageMissing(DockoptError):
    """A FROM image is not on the engine (and no registry can supply it here)."""


class DiskFull(DockoptError):
    """The engine ran out of disk space during a build."""


@dataclass
class Target:
    """What to measure: a context, a Dockerfile, and the files the change scenarios edit."""

    name: str
    context: Path
    dockerfile: Path
    build_args: dict[str, str] = field(default_factory=dict)
    code_file: str | None = None
    dependency_file: str | None = None
    tag: str | None = None

    def image_repo(self) -> str:
        return f"dockopt-build/{image_names.context_slug(self.context)}"

    def image_tag(self) -> str:
        return self.tag or f"{self.image_repo()}:{re.sub(r'[^a-zA-Z0-9._-]+', '-', self.name)}"


def summarize(seconds: list[float]) -> dict:
    """Median and range of repeated timings (the median resists one noisy repeat)."""
    return {"median_s": statistics.median(seconds), "min_s": min(seconds), "max_s": max(seconds),
            "repeats": len(seconds)}


def resolve_bases(cli, dockerfile: Path, build_args: dict[str, str]) -> dict[str, str]:
    """{FROM reference: image id}; a reference missing from the engine is a clear error."""
    refs = dockerfile_steps.base_images(dockerfile_steps.read(dockerfile), build_args)
    found = {}
    for ref in refs:
        found[ref] = images.image_id(ref, cli)
        if found[ref] is None:
            raise BaseImageMissing(
                f"The base image {ref} named by {dockerfile.name} is not on the engine, and no "
                "registry is reachable to pull it.",
                hint="run `dockopt base` for dockopt's Debian-built bases, load the image with "
                "`docker load`, or pass --build-arg to point FROM at an image you have.")
    return found


def dockerfile_digest(dockerfile: Path) -> str:
    """The Dockerfile and its own ignore file: either changing changes what is built."""
    h = hashlib.sha256(Path(dockerfile).read_bytes())
    ignore = Path(dockerfile).with_name(Path(dockerfile).name + ".dockerignore")
    if ignore.is_file():
        h.update(b"\0ignore\0" + ignore.read_bytes())
    return "sha256:" + h.hexdigest()


def cache_key(**parts) -> str:
    parts["method"] = package_digest()  # changing how we measure invalidates the cache
    return "sha256:" + hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def git_commit(path: Path) -> str | None:
    try:
        proc = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def engine_gone() -> bool:
    return not connect.answers(timeout=10)


class Session:
    """One variant's measurement: its workspace, history rows and the images it leaves behind."""

    def __init__(self, target: Target, history: store.History, run_id: int, run_label: str,
                 cli, engine_version: str, log=print) -> None:
        self.target = target
        self.history = history
        self.run_id = run_id
        self.run_label = run_label
        self.cli = cli
        self.engine_version = engine_version
        self.log = log
        self.ws: workspace.Workspace | None = None
        self.primed = False
        self.variant_id: int | None = None
        self.namespace_count = 0
        self.clean_image: str | None = None
        self.render_id: str | None = None  # the report render this measurement is part of
        self.live = live_progress.reporter()
        self.cache_before: build_cache.Snapshot | None = None  # None: nothing is known to be ours
        self.free_at_start: int | None = None
        self.least_free: int | None = None

    # builds ---------------------------------------------------------------------------------

    def workspace(self) -> workspace.Workspace:
        if self.ws is None:
            self.ws = workspace.copy_of(self.target.context, self.target.dockerfile)
            self.fresh_cache_namespace()
        return self.ws

    def fresh_cache_namespace(self) -> None:
        self.namespace_count += 1
        self.ws.set_cache_namespace(f"dockopt-{self.run_label}-{self.namespace_count}")

    def build(self, *, edited: bool, no_cache: bool = False, label: str = "build",
              scenario: str = "cold") -> tuple[buildkit.BuildResult, float]:
        ws = self.workspace()
        tag = self.target.image_tag() + ("-edited" if edited else "")
        shown = f"{self.target.name}: {label}"
        with render_split.spent(render_split.SETUP, "build cache release (waiting for the engine)"):
            build_cache.wait_for_releases()  # nothing timed while the engine deletes our cache
        with buildlock.exclusive() as waited:
            render_split.took(render_split.WAIT, waited, tag)  # not set-up: another build held the engine
            self.live.start(shown, self.history.estimate(str(self.target.dockerfile), scenario))
            result = buildkit.build(ws.context, ws.dockerfile, tag, build_args=self.target.build_args,
                                    labels=self.labels(), no_cache=no_cache, check=False,
                                    on_line=self.live.line if self.live.active else None)
            self.live.done(shown, result.seconds, result.ok)
        self.note_disk()
        if not result.ok:
            self.raise_if_fatal(result)
        elif not edited:
            self.clean_image = result.image_id
        return result, waited

    def keep_measured_image(self, cold_image: str | None) -> None:
        """When the cold scenario was reused and only a rebuild scenario ran here, the variant stays
        the image its cold build made (still tagged, analysed once): the priming build's image is
        the same Dockerfile built again, a new image id to analyse and check for nothing new."""
        if not cold_image or not self.clean_image or cold_image == self.clean_image:
            return
        if images.exists(cold_image, self.cli):
            images.tag(cold_image, self.target.image_tag(), self.cli)
            self.clean_image = cold_image  # the priming image, untagged now, goes with this run's dangling ones

    def labels(self) -> dict[str, str]:
        """This run's label, and the render's, so either can find (and remove) what was built."""
        return {RUN_LABEL: self.run_label, **({RENDER_LABEL: self.render_id} if self.render_id else {})}

    def note_disk(self) -> None:
        """The engine's free disk after a build: the lowest it got tells what a run needs."""
        try:
            with render_split.spent(render_split.SETUP, "free disk check"):
                free = build_cache.engine_free_bytes(self.cli)
        except OSError:  # the engine went away (requests' ConnectionError): raise_if_fatal says so clearly
            return
        if free is not None:
            self.least_free = free if self.least_free is None else min(self.least_free, free)

    def raise_if_fatal(self, result: buildkit.BuildResult) -> None:
        """Engine gone or disk full stop the whole run; other failures stop only this variant."""
        if engine_gone():
            raise EngineUnavailable(
                f"The Docker engine stopped answering while building {self.target.name}.",
                hint=f"start it again (`dockopt engine up`) and re-run; scenarios measured before "
                f"this one are kept in {self.history.path} and will be reused.",
                evidence=result.log_tail())
        if DISK_FULL.search(result.log):
            raise DiskFull(
                f"The engine ran out of disk space building {self.target.name}.",
                hint="free space (`dockopt clean` removes what dockopt built; `docker system df` shows "
                "the rest), then re-run: what was measured before is kept.",
                evidence=result.log_tail())

    def prime(self) -> None:
        """An untimed build so rebuild scenarios start from a built image and a warm cache."""
        if self.primed:
            return
        if not self.live.local:
            self.log(f"{self.target.name}: priming build (untimed)")
        result, _ = self.build(edited=False, label="priming build (untimed)")
        if not result.ok:
            raise BuildFailed(self.failure_message(result, "priming build"), evidence=result.log_tail())
        self.primed = True

    def failure_message(self, result: buildkit.BuildResult, what: str) -> str:
        failed = progress.first_error(progress.parse(result.log))
        where = ""
        if failed is not None:
            progress.attach_lines([failed], dockerfile_steps.read(self.target.dockerfile))
            line = f" (line {failed.line})" if failed.line else ""
            where = f" at {failed.instruction}{line}: {failed.error}"
        return f"{self.target.name}: {what} failed with exit {result.returncode}{where}"

    # scenarios ------------------------------------------------------------------------------

    def run_scenario(self, scenario: str, repeats: int, key: str) -> dict:
        """Build ``repeats`` times; store and return the scenario row."""
        if scenario != "cold":
            self.prime()
        ws = self.workspace()
        changed = None
        times, rep_rows, step_rows = [], [], []
        for r in range(1, repeats + 1):
            token = uuid.uuid4().hex[:12]
            edited = False
            if scenario == "cold":
                self.fresh_cache_namespace()
            elif scenario in ("code", "deps"):
                relpath = self.target.code_file if scenario == "code" else self.target.dependency_file
                if not relpath:
                    raise DockoptError(f"The {scenario}-change scenario needs a file to change.",
                                       hint="pass --code-file / --dependency-file.")
                ws.change_content(relpath, token, "code" if scenario == "code" else "dependency")
                changed, edited = relpath, True
            if not self.live.local:  # the live line says it, with the step and the time
                self.log(f"{self.target.name}: {scenario} build {r}/{repeats} ...")
            result, waited = self.build(edited=edited, no_cache=scenario == "cold",
                                        label=f"{scenario} {r}/{repeats}", scenario=scenario)
            steps = progress.parse_build(result.log, self.target.dockerfile)
            rep_rows.append({"repeat": r, "seconds": result.seconds, "image_id": result.image_id,
                             "ok": result.ok, "lock_wait_s": waited})
            step_rows += [{**s.as_dict(), "repeat": r} for s in steps]
            if not result.ok:
                sid = self.history.add_scenario(
                    self.variant_id, scenario, repeat_rows=rep_rows, steps=step_rows, cache_key=key,
                    status="failed", error=self.failure_message(result, f"{scenario} build {r}"),
                    log_tail=result.log_tail(), changed_file=changed, method=METHODS[scenario])
                raise _ScenarioFailed(sid, self.failure_message(result, f"{scenario} build {r}"),
                                      result.log_tail())
            if scenario == "cold":
                self.primed = True
            times.append(result.seconds)
            if not self.live.local:
                self.log(f"{self.target.name}: {scenario} build {r}/{repeats}: {result.seconds:.1f} s")
        summary = summarize(times)
        sid = self.history.add_scenario(self.variant_id, scenario, repeat_rows=rep_rows, steps=step_rows,
                                        cache_key=key, status="ok", changed_file=changed,
                                        method=METHODS[scenario], **summary)
        self.history.add_metric(self.variant_id, f"build_seconds.{scenario}.median", summary["median_s"], "s")
        return {"scenario_id": sid, **summary}

    def cleanup(self) -> None:
        """Drop the workspace, the edited-image tag, dangling images and cache mounts we made."""
        if self.ws is not None:
            self.ws.close()
        images.remove_tag(self.target.image_tag() + "-edited", self.cli)
        try:
            images.prune_dangling(f"{RUN_LABEL}={self.run_label}", self.cli)
            if self.variant_id is not None and self.free_at_start is not None and self.least_free is not None:
                self.history.add_metric(self.variant_id, "disk.peak_growth",
                                        max(0, self.free_at_start - self.least_free), "B")
            with render_split.spent(render_split.SETUP, "build cache release"):
                planned = build_cache.release_new_later(self.cli, self.cache_before,
                                                        released_to(self.history.path, self.variant_id))
            if planned.releasing:
                self.log(f"{self.target.name}: releasing {planned.releasing_bytes / 1e6:.0f} MB of build cache "
                         f"({len(planned.releasing)} records) while the image is analysed; "
                         f"{len(planned.held)} kept for the image")
        except connect.failures():
            pass  # cleanup is best effort; `dockopt clean` removes what is left


def released_to(history_path: Path, variant_id: int | None):
    """Where a background release writes what it did: its own connection to the history file (the
    measurement's belongs to the measuring thread). What is still held is remembered for `dockopt clean`."""
    def done(released: build_cache.Released) -> None:
        try:
            with store.open_history(history_path) as hist:
                hist.remember_cache_records(released.held)
                if variant_id is not None:
                    hist.add_metric(variant_id, "build_cache.released_bytes", released.freed_bytes, "B")
                    hist.add_metric(variant_id, "build_cache.release_calls", released.calls, "calls")
        except store.Error:
            pass  # best effort, as the release itself: `dockopt clean` lists what is left

    return done


class _ScenarioFailed(Exception):
    def __init__(self, scenario_id: int, message: str, log_tail: str) -> None:
        super().__init__(message)
        self.scenario_id = scenario_id
        self.message = message
        self.log_tail = log_tail


def measure(target: Target, scenarios=SCENARIOS, repeats: int = 3, fresh: bool = False,
            history: Path | str | None = None, log=print, render_id: str | None = None) -> dict:
    """Measure one target; returns {"run_id", "variant_id", "status", "error"}.

    ``render_id`` is the run id of the report render this belongs to: stored on the run, and
    that render's own measurements are the ones reused first.

    A build failure marks the variant failed (error and log tail kept) and returns; the
    engine going away or the disk filling up raise, after storing what was measured.
    """
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        raise DockoptError(f"Unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}.")
    if repeats < 1:
        raise DockoptError(f"--repeats must be at least 1 (got {repeats}).")
    target.context, target.dockerfile = Path(target.context).resolve(), Path(target.dockerfile).resolve()
    if not target.dockerfile.is_file():
        raise DockoptError(f"The Dockerfile {target.dockerfile} does not exist.")
    if not target.context.is_dir():
        raise DockoptError(f"The build context {target.context} is not a directory.")
    for scenario, relpath, flag in (("code", target.code_file, "--code-file"),
                                    ("deps", target.dependency_file, "--dependency-file")):
        if scenario in scenarios and (not relpath or not (target.context / relpath).is_file()):
            raise DockoptError(
                f"The {scenario}-change scenario needs a file of the context to change"
                + (f"; {relpath} is not one." if relpath else "."),
                hint=f"pass {flag} with a context-relative path, or leave {scenario} out of --scenarios.")
    cli, info = connect.session()  # one client for the whole run, handed to each engine call
    run_label = uuid.uuid4().hex[:12]
    with store.open_history(history) as hist, interrupts.sigterm_as_interrupt():
        run_id = hist.start_run(store.RunInfo(
            engine_version=info.engine_version, cpus=info.cpus, git_commit=git_commit(target.context),
            host=os.uname().nodename, run_label=run_label, render_id=render_id or None))
        session = Session(target, hist, run_id, run_label, cli, info.engine_version, log=log)
        with render_split.spent(render_split.SETUP, "build cache snapshot"):
            session.cache_before = build_cache.snapshot(cli)
        session.free_at_start = build_cache.engine_free_bytes(cli)
        session.render_id = render_id or None
        variant_row = {"dockerfile": str(target.dockerfile), "context": str(target.context),
                       "build_args": target.build_args, "image_tag": target.image_tag()}
        try:
            bases = resolve_bases(cli, target.dockerfile, target.build_args)
            digests = {"dockerfile_digest": dockerfile_digest(target.dockerfile),
                       "context_digest": context_digest.context_digest(target.context, target.dockerfile)}
        except BaseImageMissing as exc:
            session.variant_id = hist.add_variant(run_id, target.name, **variant_row)
            hist.update_variant(session.variant_id, status="failed", error=exc.message + " " + exc.hint)
            return {"run_id": run_id, "variant_id": session.variant_id, "status": "failed", "error": exc.message}
        session.variant_id = hist.add_variant(run_id, target.name, base_images=bases, **digests, **variant_row)
        wanted = [s for s in SCENARIOS if s in scenarios]
        status, error = "ok", None
        try:
            for scenario in wanted:
                edited_file = {"code": target.code_file, "deps": target.dependency_file}.get(scenario)
                key = cache_key(scenario=scenario, repeats=repeats, bases=bases, engine=info.engine_version,
                                build_args=target.build_args, edited_file=edited_file, **digests)
                reusable = hist.find_reusable(key, render_id or None)
                if fresh and not (reusable and render_split.this_render(reusable.get("measured_at"))):
                    reusable = None  # --fresh: only what an earlier notebook of this render measured
                if reusable:
                    log(f"{target.name}: {scenario} reused from an earlier run (nothing changed)")
                    hist.add_scenario(session.variant_id, scenario, cache_key=key, status="ok",
                                      reused_from=reusable["scenario_id"],
                                      **{k: reusable[k] for k in ("repeats", "median_s", "min_s", "max_s",
                                                                  "changed_file", "method")})
                    continue
                session.run_scenario(scenario, repeats, key)
            session.keep_measured_image(hist.reused_image(session.variant_id, "cold"))
        except _ScenarioFailed as failed:
            status, error = "failed", failed.message
            hist.update_variant(session.variant_id, status="failed", error=failed.message,
                                log_tail=failed.log_tail)
            for scenario in wanted[wanted.index(hist.scenario_name(failed.scenario_id)) + 1:]:
                hist.add_scenario(session.variant_id, scenario, status="skipped",
                                  error=f"not measured: {failed.message}", method=METHODS[scenario])
        except BuildFailed as exc:  # the priming build
            status, error = "failed", exc.message
            hist.update_variant(session.variant_id, status="failed", error=exc.message, log_tail=exc.evidence)
        except BaseException as exc:
            message = getattr(exc, "message", None) or type(exc).__name__
            hist.update_variant(session.variant_id, status="failed", error=f"interrupted: {message}")
            raise
        finally:
            session.cleanup()
        if status == "ok":
            image_id = session.clean_image or hist.reused_image(session.variant_id)
            hist.update_variant(session.variant_id, status="ok", image_id=image_id)
        return {"run_id": run_id, "variant_id": session.variant_id, "status": status, "error": error}
