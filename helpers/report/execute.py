"""Run phase notebooks through papermill with a project's parameters."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import papermill

from helpers.paths import NOTEBOOKS
from helpers.report.notebooks import PhaseNotebook


@dataclass
class Executed:
    phase: PhaseNotebook
    notebook: Path  # the executed copy (written even when a cell failed)
    seconds: float
    error: str = ""  # papermill's "cell N: ename: evalue" when a cell raised

    @property
    def ok(self) -> bool:
        return not self.error


def execute(phase: PhaseNotebook, out_dir: Path, parameters: dict, progress: bool = True,
            engine_kwargs: dict | None = None) -> Executed:
    """Run one notebook; ``engine_kwargs`` go to nbclient (helpers.report.interrupt's hooks)."""
    target = out_dir / "executed" / f"{phase.stem}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        papermill.execute_notebook(str(phase.path), str(target), parameters=parameters,
                                   kernel_name="python3", progress_bar=progress, cwd=str(NOTEBOOKS),
                                   **(engine_kwargs or {}))
    except papermill.PapermillExecutionError as exc:
        return Executed(phase, target, time.perf_counter() - start,
                        f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
    return Executed(phase, target, time.perf_counter() - start)
