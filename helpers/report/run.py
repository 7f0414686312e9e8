"""``render_report``: execute the phase notebooks for one project and render the shareable folder.

Layout of ``out_dir``: ``index.html``; ``<stem>.html`` (stakeholders: no code) and
``<stem>.code.html`` (engineers) per phase; ``executed/<stem>.ipynb`` (the papermill output).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.report import execute, index_page, render
from helpers.report.notebooks import select


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
    extra: dict = field(default_factory=dict)

    def as_parameters(self, out_dir: Path) -> dict:
        params = {k: v for k, v in self.__dict__.items() if k != "extra"}
        params["report_dir"] = str(out_dir)
        params.update(self.extra)
        return params


@dataclass
class ReportResult:
    out_dir: Path
    index: Path
    executed: list
    seconds: float
    split: dict = field(default_factory=dict)  # seconds per kind of work (helpers.render_split)
    render_id: str = ""

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.executed)


def render_report(params: ReportParams, out_dir: Path, phases: list[str] | None = None,
                  progress: bool = True, log=print) -> ReportResult:
    from helpers import render_split
    from helpers.paths import DEFAULT_HISTORY

    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    history = Path(params.history).expanduser() if params.history else DEFAULT_HISTORY
    render_id = render_split.start(history)  # the kernels inherit it and record their work under it
    try:
        executed = []
        chosen = select(phases)
        for number, phase in enumerate(chosen, 1):
            log(f"[{number}/{len(chosen)}] {phase.stem}: {phase.question}")
            began = time.perf_counter()
            item = execute.execute(phase, out_dir, params.as_parameters(out_dir), progress=progress)
            render_split.record(render_split.NOTEBOOK, time.perf_counter() - began, phase.stem)
            with render_split.spent(render_split.RENDERING, phase.stem):
                render.render_html(item.notebook, out_dir / f"{phase.stem}.html", with_code=False)
                render.render_html(item.notebook, out_dir / f"{phase.stem}.code.html", with_code=True)
            state = "ok" if item.ok else f"FAILED ({item.error})"
            log(f"      {phase.stem}: {state} in {item.seconds:.0f} s")
            executed.append(item)
        summary = summary_frame(out_dir)
        split = render_split.split(render_split.rows(history, render_id), time.perf_counter() - start)
        index = index_page.write_index(out_dir, params.name, params.dockerfile, executed, summary,
                                       split=render_split.table(split))
    finally:
        render_split.stop()
    seconds = time.perf_counter() - start
    return ReportResult(out_dir, index, executed, seconds, split, render_id)


def summary_frame(out_dir: Path):
    """The measured 'Expected Results' table the summary notebook saved (None if it did not run)."""
    from helpers import summary

    return summary.load(out_dir)
