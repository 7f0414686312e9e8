"""Record the executed reference notebooks nbval compares against: `python tests/notebooks/record.py`.

Each phase notebook runs with its defaults (the bundled sample), in this folder, through the
same kernel the tests use, and is written here with its outputs. Re-record after changing a
notebook or what it prints; review the diff like any other code change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from helpers.report.notebooks import PHASES  # noqa: E402


def record(stems: list[str]) -> None:
    for phase in PHASES:
        if stems and phase.stem not in stems and phase.key not in stems:
            continue
        nb = nbformat.read(phase.path, as_version=4)
        NotebookClient(nb, kernel_name="python3", timeout=3600, resources={"metadata": {"path": str(HERE)}}).execute()
        for cell in nb.cells:  # nbval ignores these outputs: keep the references small and free of
            if "nbval-ignore-output" in cell.get("metadata", {}).get("tags", []):  # machine detail
                cell.outputs = []
        nbformat.write(nb, HERE / f"{phase.stem}.ipynb")
        print(f"recorded {phase.stem}", flush=True)


if __name__ == "__main__":
    record(sys.argv[1:])
