"""Real `dockopt report` renders of a tiny project (tests/fixtures/report_tiny), as a user runs them.

Two renders at once into one history file, a render killed mid-measurement and rendered
again, and Ctrl-C during a build and during a runtime check. Each render runs the baseline
and phase-1 pages with one repeat on a copy of the fixture (the user's tree is never
touched); what a render built is removed afterwards by its render label.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.engine.labels import RENDER_LABEL

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "report_tiny"
RENDER_TIMEOUT_S = 900
STOP_WITHIN_S = 30  # Ctrl-C to exit, on a shared two-core machine


def project_copy(tmp_path: Path, where: str, app_text: str | None = None, dockerfile_edit=None) -> Path:
    ctx = tmp_path / where / "app"  # every copy's folder is named "app": their image tags must still differ
    shutil.copytree(FIXTURE, ctx)
    if app_text is not None:
        (ctx / "app.py").write_text(app_text)
    if dockerfile_edit is not None:
        (ctx / "Dockerfile").write_text(dockerfile_edit((ctx / "Dockerfile").read_text()))
    return ctx


def start_render(ctx: Path, history: Path, out: Path) -> subprocess.Popen:
    """`dockopt report` in its own process group, as a terminal starts a foreground command."""
    phase1 = str(ctx / "Dockerfile.phase1")
    argv = [sys.executable, "-m", "helpers.cli", "report", "--context", str(ctx), "--phases", "baseline,phase1",
            "--phase1", phase1, "--phase2", phase1, "--phase3", phase1, "--repeats", "1", "--quiet",
            "--history", str(history), "--out", str(out), "--smoke", "python -c 'import app'"]
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DOCKOPT_RUN_ID", None)
    return subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True,
                            stdout=open(out.parent / f"{out.name}.stdout", "w"),
                            stderr=open(out.parent / f"{out.name}.stderr", "w"))


def stderr_of(out: Path) -> str:
    return (out.parent / f"{out.name}.stderr").read_text()


def query(history: Path, sql: str, params=()) -> list[tuple]:
    if not history.exists():
        return []
    with sqlite3.connect(history, timeout=30) as conn:
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # the schema is being created
            return []


def outputs(notebook: Path, starts: str) -> str:
    """The text outputs of the cells whose source starts with ``starts``."""
    nb = json.loads(notebook.read_text())
    texts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "".join(cell["source"]).startswith(starts):
            for out in cell.get("outputs", []):
                texts.append("".join(out.get("text") or out.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def run_ids(notebook: Path) -> set[str]:
    table = outputs(notebook, "study.project_table(project)")
    return {line.split()[-1] for line in table.splitlines() if "run id" in line}


def assert_render_is_correct(out: Path, history: Path, ctx: Path) -> str:
    """Every page rendered, measured every variant it shows, and read its own render's rows."""
    pages = [out / "executed" / "00-baseline.ipynb", out / "executed" / "01-phase1-critical.ipynb"]
    ids = set().union(*(run_ids(p) for p in pages))
    assert len(ids) == 1, f"pages of one render show run ids {ids}"
    run_id = ids.pop()
    for page in pages:
        facts = outputs(page, "measured.facts()")
        assert "build failed" not in facts and "no image" not in facts and "not measured" not in facts, facts
        sizes = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\d+\s+(original|phase1)\s+([\d.]+)", facts, re.M)}
        assert sizes and all(size > 1 for size in sizes.values()), facts  # megabytes, never 0 MB
        budget = outputs(page, "print(phase_budgets.")
        assert "FAIL" not in budget and "budgets:" in budget, budget
    variants = query(history, "SELECT v.name, v.status, v.image_id, v.context FROM variants v JOIN runs r "
                              "USING (run_id) WHERE r.render_id = ?", (run_id,))
    assert {name for name, *_ in variants} == {"original", "phase1"}
    assert all(status == "ok" and image for _, status, image, _ in variants), variants
    assert {context for *_, context in variants} == {str(ctx)}  # its own project's rows, not the other's
    return run_id


@pytest.fixture
def renders(engine):
    """Collects the history files used; removes every container and image their renders labelled."""
    histories: list[Path] = []
    yield histories
    ids = {rid for h in histories for (rid,) in query(h, "SELECT DISTINCT render_id FROM runs") if rid}
    for rid in ids:
        for container in engine.containers.list(all=True, filters={"label": f"{RENDER_LABEL}={rid}"}):
            container.remove(force=True)
        for image in engine.images.list(filters={"label": f"{RENDER_LABEL}={rid}"}):
            for ref in image.tags or [image.id]:
                try:
                    engine.images.remove(ref, force=True)
                except Exception:  # went with an earlier tag of the same image
                    pass


def test_two_renders_at_once_into_one_history_are_both_correct(tmp_path, renders):
    history = tmp_path / "history.sqlite"
    renders.append(history)
    a = project_copy(tmp_path, "a")
    b = project_copy(tmp_path, "b", app_text='"""Project b."""\n\nprint("tiny app b")\n')
    procs = {name: (start_render(ctx, history, tmp_path / f"out-{name}"), ctx) for name, ctx in (("a", a), ("b", b))}
    for name, (proc, _) in procs.items():
        assert proc.wait(RENDER_TIMEOUT_S) == 0, stderr_of(tmp_path / f"out-{name}")
    ids = {name: assert_render_is_correct(tmp_path / f"out-{name}", history, ctx) for name, (_, ctx) in procs.items()}
    assert ids["a"] != ids["b"]
    tags = query(history, "SELECT DISTINCT v.image_tag FROM variants v JOIN runs r USING (run_id) "
                          "WHERE r.render_id IN (?, ?)", (ids["a"], ids["b"]))
    assert len(tags) == 4, tags  # two variants of two projects, both folders named "app": four tags


def kernel_groups(pid: int) -> list[int]:
    """Process groups of the Jupyter kernels a render started (each its own session)."""
    groups = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # ppid
            groups.append(int(fields[2]))  # pgrp
    return [g for g in groups if g != pid]


def test_a_render_killed_mid_measurement_is_measured_again_on_the_next_render(tmp_path, renders):
    """Killed (SIGKILL, render and kernel) after a variant's first scenario was stored, while its second
    builds, so before the variant was finished with its image: the next render must measure it again
    (nothing reused from the stored scenario of an unfinished variant), not show it failed. The kill
    comes during a build, not in the instant between the last scenario stored and the variant finished:
    that instant is now a fraction of a second (the build-cache release runs in the background) and a
    test polling every 50 ms lost the race to it."""
    history = tmp_path / "history.sqlite"
    renders.append(history)
    ctx = project_copy(tmp_path, "p")
    proc = start_render(ctx, history, tmp_path / "out-killed")
    unfinished = "SELECT v.variant_id FROM variants v WHERE v.status = 'running' AND " \
                 "(SELECT COUNT(*) FROM scenarios s WHERE s.variant_id = v.variant_id AND s.status = 'ok') = 1"
    deadline = time.monotonic() + RENDER_TIMEOUT_S
    caught = []
    while not caught and proc.poll() is None and time.monotonic() < deadline:
        caught = query(history, unfinished)
        time.sleep(0.05)
    assert caught, "the render finished before it could be killed mid-measurement"
    for group in kernel_groups(proc.pid):
        os.killpg(group, signal.SIGKILL)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(60)
    (variant_id,) = caught[0]
    assert query(history, "SELECT status, image_id FROM variants WHERE variant_id = ?", (variant_id,)) == [("running", None)]

    again = start_render(ctx, history, tmp_path / "out-again")
    assert again.wait(RENDER_TIMEOUT_S) == 0, stderr_of(tmp_path / "out-again")
    run_id = assert_render_is_correct(tmp_path / "out-again", history, ctx)
    (name,) = query(history, "SELECT name FROM variants WHERE variant_id = ?", (variant_id,))[0]
    remeasured = query(history, "SELECT s.scenario, s.reused_from FROM scenarios s JOIN variants v USING (variant_id) "
                                "JOIN runs r USING (run_id) WHERE r.render_id = ? AND v.name = ? ORDER BY s.scenario_id",
                       (run_id, name))
    killed = {sid for (sid,) in query(history, "SELECT scenario_id FROM scenarios WHERE variant_id = ?", (variant_id,))}
    assert remeasured and not killed & {src for _, src in remeasured}, remeasured  # nothing reused from the killed one


SLEEPS_IN_BUILD = lambda text: text.replace("CMD ", "RUN sleep 300\nCMD ", 1)  # noqa: E731
STAYS_UP = lambda text: text.replace('CMD ["python", "app.py"]', 'CMD ["python", "-c", "import time; time.sleep(600)"]')  # noqa: E731


@pytest.mark.parametrize("during", ["build", "runtime check"])
def test_ctrl_c_stops_within_seconds_in_one_line_and_leaves_no_container(tmp_path, renders, engine, during):
    history = tmp_path / "history.sqlite"
    renders.append(history)
    ctx = project_copy(tmp_path, "c", dockerfile_edit=SLEEPS_IN_BUILD if during == "build" else STAYS_UP)
    out = tmp_path / "out"
    proc = start_render(ctx, history, out)
    deadline = time.monotonic() + RENDER_TIMEOUT_S
    render_id = None
    while proc.poll() is None and time.monotonic() < deadline:
        rows = query(history, "SELECT DISTINCT render_id FROM runs")
        render_id = rows[0][0] if rows else None
        if during == "build" and query(history, "SELECT 1 FROM variants WHERE status = 'running'"):
            time.sleep(5)  # inside the 300 s RUN sleep by now
            break
        if during == "runtime check" and render_id and engine.containers.list(
                filters={"label": f"{RENDER_LABEL}={render_id}"}):
            break
        time.sleep(0.2)
    assert proc.poll() is None and render_id, "the render ended before it could be interrupted"
    start = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the foreground group
    code = proc.wait(STOP_WITHIN_S)
    took = time.monotonic() - start
    print(f"Ctrl-C during {during}: exit {code} after {took:.1f} s")
    err = stderr_of(out).strip().splitlines()
    assert code == 130 and took < STOP_WITHIN_S
    assert len(err) == 1 and err[0].startswith("dockopt: interrupted (SIGINT)"), err
    assert "Traceback" not in (out / "executed" / "kernel.log").read_text()
    assert engine.containers.list(all=True, filters={"label": f"{RENDER_LABEL}={render_id}"}) == []
    statuses = query(history, "SELECT status, error FROM variants")
    assert statuses and all(s != "running" for s, _ in statuses), statuses  # the kernel recorded the stop
    if during == "build":
        assert any(s == "failed" and (e or "").startswith("interrupted") for s, e in statuses), statuses
