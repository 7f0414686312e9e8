"""``render_report``: execute the phase notebooks for one project and render the shareable folder.

Layout of ``out_dir``: ``index.html``; ``<stem>.html`` (stakeholders: no code) and
``<stem>.code.html`` (engineers) per phase; ``executed/<stem>.ipynb`` (the papermill output)
and ``executed/kernel.log`` (what the kernels wrote outside the notebooks);
``derived/`` (the Dockerfiles dockopt derived, for a project without its own phases).

One render has one run id (``ReportParams.run_id``, new unless given), passed to every
notebook: each page measures and reads under it, so renders sharing a history file never
read each other's rows. Ctrl-C stops the render (helpers.report.interrupt).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.engine import cleanup
from helpers.errors import DockoptError
from helpers.report import bundle, execute, index_page, interrupt, page, render
from helpers.report.notebooks import PHASES, select


@dataclass
class ReportParams:
    """The parameters every phase notebook takes (names match their `parameters` cells)."""

    context: str
    dockerfile: str
    name: str = "project"
    repeats: int = 3
    fresh: bool = False
    emulated_platforms: bool = False
    base_image: str = ""
    history: str = ""
    smoke_command: str = ""
    phase1_dockerfile: str = ""
    phase2_dockerfile: str = ""
    phase3_dockerfile: str = ""
    code_file: str = ""
    dependency_file: str = ""
    build_args: str = ""  # KEY=VALUE lines
    run_env: str = ""  # KEY=VALUE lines
    run_args: str = ""  # shell words
    run_id: str = ""  # empty: the render starts a new one
    extra: dict = field(default_factory=dict)

    def as_parameters(self, out_dir: Path) -> dict:
        params = {k: v for k, v in self.__dict__.items() if k != "extra"}
        params["report_dir"] = str(out_dir)
        params.update(self.extra)
        return params


class RenderInterrupted(DockoptError):
    """The render was stopped by Ctrl-C or SIGTERM; what was measured is kept."""


@dataclass
class ReportResult:
    out_dir: Path
    index: Path
    executed: list
    seconds: float
    split: dict = field(default_factory=dict)  # seconds per kind of work (helpers.report.render_split)
    render_id: str = ""

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.executed)


def render_report(params: ReportParams, out_dir: Path, phases: list[str] | None = None,
                  progress: bool = True, log=print) -> ReportResult:
    from helpers.report import render_split
    from helpers.history import store
    from helpers.engine import labels
    from helpers.paths import DEFAULT_HISTORY

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    params.run_id = params.run_id or store.new_run_id()
    history = Path(params.history).expanduser() if params.history else DEFAULT_HISTORY
    before = labels.current_render()
    labels.use_render(params.run_id)  # the kernels inherit it, and so does every container they start
    render_split.start(history, params.run_id)  # the kernels record their work under the same id
    try:
        return _render(params, out_dir, phases, progress, log, history)
    finally:
        render_split.stop()
        labels.use_render(before)


def _render(params: ReportParams, out_dir: Path, phases, progress: bool, log, history: Path) -> ReportResult:
    from helpers.report import render_split

    (out_dir / "executed" / "kernel.log").unlink(missing_ok=True)
    start = time.perf_counter()
    executed = []
    chosen = select(phases)
    page.copy_plotly(out_dir)
    engine, cpus = engine_description()
    first_load = page.load_average()
    with interrupt.forwarded(kernel_log=out_dir / "executed" / "kernel.log") as stop:
        for number, phase in enumerate(chosen, 1):
            if stop.requested:
                break
            log(f"[{number}/{len(chosen)}] {phase.stem}: {phase.question}")
            load_start = page.load_average()
            began = time.perf_counter()
            try:
                item = execute.execute(phase, out_dir, params.as_parameters(out_dir), progress=progress,
                                       engine_kwargs=interrupt.engine_kwargs(stop))
            except (Exception, KeyboardInterrupt):
                if not stop.requested:
                    raise
                break  # the kernel was stopped or killed: what it measured is in the history
            if stop.requested:
                break
            render_split.record(render_split.NOTEBOOK, time.perf_counter() - began, phase.stem)
            footer = page.Measurement(engine, cpus, params.repeats, load_start, page.load_average()).footer()
            with render_split.spent(render_split.RENDERING, phase.stem):
                render.render_html(item.notebook, out_dir / f"{phase.stem}.html", with_code=False,
                                   title=f"{phase.title}: {params.name}", nav=navigation(phase.stem), footer=footer)
                render.render_html(item.notebook, out_dir / f"{phase.stem}.code.html", with_code=True,
                                   footer=footer)
            state = "ok" if item.ok else f"FAILED ({item.error})"
            log(f"      {phase.stem}: {state} in {item.seconds:.0f} s")
            executed.append(item)
    if stop.requested:
        removed = cleanup.remove_render_containers(params.run_id)
        raise RenderInterrupted(
            f"interrupted ({stop.signal_name}) after {time.perf_counter() - start:.0f} s: run {params.run_id} stopped, "
            f"its measurements kept in {params.history or 'the history file'}"
            + (f", {len(removed)} container(s) it left removed" if removed else ""))
    footer = page.Measurement(engine, cpus, params.repeats, first_load, page.load_average()).footer()
    saved = summary_saved(out_dir)
    with render_split.spent(render_split.RENDERING, "report.html and report.pdf"):
        single = bundle.write_single_file(out_dir, params.name, index_page.summary_html(saved), executed, footer)
        try:
            bundle.print_pdf(single)
        except (DockoptError, OSError, subprocess.SubprocessError) as exc:  # the folder and report.html stand
            log(f"      report.pdf not printed: {exc}")
    # the index last, so its last block holds everything but writing itself
    split = render_split.split(render_split.rows(history, params.run_id), time.perf_counter() - start)
    index = index_page.write_index(out_dir, params.name, params.dockerfile, executed, saved, footer=footer,
                                   split=render_split.table(split))
    return ReportResult(out_dir, index, executed, time.perf_counter() - start, split, params.run_id)


def navigation(current: str) -> str:
    links = ['<a href="index.html">Overview</a>']
    for phase in PHASES:
        label = phase.title.split(":")[0]
        links.append(f'<a href="{phase.stem}.html" aria-current="page">{label}</a>' if phase.stem == current
                     else f'<a href="{phase.stem}.html">{label}</a>')
    links.append(f'<a href="{current}.code.html">with code</a>')
    return " ".join(links)


def engine_description() -> tuple[str, int]:
    from helpers.engine import connect

    try:
        info = connect.describe()
        return (f"Docker {info.engine_version} (API {info.api_version}, {info.storage_driver}, {info.os_arch})",
                info.cpus)
    except (DockoptError, OSError) as exc:  # the footer says it was not described
        return f"not described ({exc})", 0


def summary_saved(out_dir: Path):
    """What the summary notebook saved for the index page (None if it did not run)."""
    from helpers.report import summary

    return summary.load_saved(out_dir)
