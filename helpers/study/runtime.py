"""Does each variant still do its job: started as it ships, its smoke command, its user, build tools, GPU."""

from __future__ import annotations

import shlex

import pandas as pd

from helpers.project import Project
from helpers.study.measured import Measured, ships_state, smoke_state
from helpers.study.text import Text


def build_tools_table(measured: Measured) -> pd.DataFrame:
    rows = []
    for variant, report in measured.images.items():
        tools = report.build_tools
        rows.append({"variant": variant, "compilers and build tools": ", ".join(tools.binaries) or "none",
                     "-dev / build packages": ", ".join(tools.packages[:8]) or "none",
                     "headers": getattr(tools, "header_files", None)})
    return pd.DataFrame(rows)


def runtime_table(measured: Measured) -> pd.DataFrame:
    """Each variant started as it ships: the verdict, how it was judged, the exact command."""
    rows = []
    for variant, run in measured.runtime.items():
        ships = run.get("ships") or {}
        rows.append({"variant": variant, "configured user": run.get("configured_user") or "(root)",
                     "uid of the running process": run.get("actual_uid"),
                     "starts as it ships": ships_state(measured, variant),
                     "how it was judged": ships.get("how", ""),
                     "HEALTHCHECK": "yes" if run.get("healthcheck") else "no",
                     "health": run.get("health"),
                     "smoke": smoke_state(run)})
    return pd.DataFrame(rows)


def started_with(measured: Measured) -> pd.DataFrame:
    """The exact `docker run` lines used: the image's own start, and the smoke command (entrypoint overridden)."""
    rows = []
    for variant, run in measured.runtime.items():
        rows.append({"variant": variant, "start": (run.get("ships") or {}).get("command", ""),
                     "smoke": (run.get("smoke") or {}).get("shown", "")})
    return pd.DataFrame(rows)


def broken_logs(measured: Measured) -> pd.DataFrame:
    """The last log lines of every variant that does not start, the evidence behind a BROKEN."""
    rows = [{"variant": v, "state": ships_state(measured, v), "last log lines": (r.get("ships") or {}).get("log_tail", "")}
            for v, r in measured.runtime.items() if not (r.get("ships") or {}).get("ok", True)]
    return pd.DataFrame(rows, columns=["variant", "state", "last log lines"])


def functionality(measured: Measured) -> pd.DataFrame:
    """Does each variant still do its job: started as it ships (the exact `docker run`), then the
    smoke command; a variant that does not start shows its last log lines."""
    rows = []
    for variant, run in measured.runtime.items():
        smoke = run.get("smoke")
        ships = run.get("ships") or {}
        rows.append({"variant": variant, "starts as it ships": ships_state(measured, variant),
                     "how it was judged": ships.get("how", ""), "started with": ships.get("command", ""),
                     "smoke command": (smoke.get("shown") or shlex.join(smoke["command"])) if smoke else "",
                     "smoke": smoke_state(run),
                     "output": (ships.get("log_tail", "") if ships and not ships.get("ok") else
                                (smoke or {}).get("output_tail", "")).strip()[-300:]})
    return pd.DataFrame(rows)


def gpu_check(project: Project, variant: str = "phase3", security: dict | None = None) -> Text:
    """The analysis's GPU test (`torch.cuda.is_available()` under `--gpus all`), where a GPU runtime exists.

    ``security`` (variant -> SecurityReport, as ``security()`` returns) tells what the image holds:
    an image without torch or CUDA libraries is left out with the reason.
    """
    from helpers.engine import gpu_runtime
    from helpers.image import gpu

    report = (security or {}).get(variant)
    why = gpu.why_not_applicable(report.sbom, variant) if report is not None else None
    if why:
        return Text(why)

    runtimes = gpu_runtime.runtimes()
    if gpu_runtime.NVIDIA not in runtimes:
        return Text(f"skipped: no GPU runtime (engine runtimes: {', '.join(sorted(runtimes)) or 'none'}; "
                    "`--gpus all` needs the NVIDIA container runtime)")
    try:
        result = gpu_runtime.run_with_all_gpus(
            project.tag(variant), ["python", "-c", "import torch; print(torch.cuda.is_available())"])
    except Exception as exc:  # the run itself failing is the finding here
        return Text(f"GPU runtime present, but the check could not run: {exc}")
    return Text(f"torch.cuda.is_available() in {variant}: {result.output.strip()} (exit {result.exit_code})")
