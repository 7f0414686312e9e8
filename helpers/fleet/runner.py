"""One project on one engine: ``dockopt report`` as a subprocess with the engine in its environment.

The report command runs unchanged. While it runs, the engine is pinged; when it stops answering
the report is stopped at once (its process group) and the attempt is an engine failure, so the
pool retries the project elsewhere instead of waiting for every notebook to fail in turn.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers.commands import report_cmd
from helpers.fleet.pool import ENGINE_FAILED, FAILED, OK, Attempt

PING_EVERY_S = 5
MISSED_PINGS = 2  # consecutive unanswered pings that make an engine "gone"
# What the report prints when the engine, not the project, failed (helpers.builds.scenarios, study).
_RUNNING: set = set()  # report processes in flight, stopped if the fleet itself is interrupted

ENGINE_SIGNS = ("EngineUnavailable", "stopped answering", "No Docker engine answers", "DiskFull",
                "ran out of disk space")


def report_options() -> set[str]:
    """The options this dockopt's ``report`` command takes (new ones are passed once they exist).

    Asked of the report command's own ``register`` (not of ``helpers.cli``, which lists the fleet
    command too: the fleet would import itself)."""
    sub = argparse.ArgumentParser(prog="dockopt").add_subparsers()
    report_cmd.register(sub)
    return {opt for action in sub.choices["report"]._actions for opt in action.option_strings}


def report_argv(spec, out_dir: Path, history: Path, repeats: int, fresh: bool = False,
                options: set[str] | None = None) -> list[str]:
    """The ``dockopt report`` command line for a project (raises when it needs an option this
    dockopt lacks: a run without the project's environment would judge the wrong thing)."""
    from helpers.errors import DockoptError

    options = report_options() if options is None else options
    argv = [sys.executable, "-m", "helpers.cli", "report", "--context", str(spec.context),
            "--dockerfile", str(spec.dockerfile), "--name", spec.name, "--out", str(out_dir),
            "--history", str(history), "--repeats", str(repeats), "--quiet"]
    if fresh:
        argv.append("--fresh")
    for flag, value in (("--smoke", spec.smoke), ("--code-file", spec.code_file),
                        ("--dependency-file", spec.dependency_file), ("--base-image", spec.base_image)):
        if value:
            argv += [flag, value]
    for phase, path in sorted(spec.phase_files.items()):
        argv += [f"--{phase}", str(path)]
    if spec.phases:
        argv += ["--phases", ",".join(spec.phases)]
    # Options the report gains on another branch (run id work): passed when this dockopt has them.
    for flag, values in (("--build-arg", [f"{k}={v}" for k, v in spec.build_args.items()]),
                         ("--run-env", [f"{k}={v}" for k, v in spec.run_env.items()]),
                         ("--run-arg", list(spec.run_args))):
        if not values:
            continue
        if flag not in options:
            raise DockoptError(f"Project {spec.name!r} sets {flag.lstrip('-').replace('-', '_')}s, but this "
                               f"dockopt's report has no {flag} option.",
                               hint="update dockopt, or remove the key from the fleet file.")
        for value in values:
            argv += [flag, value]
    return argv


def _watch(proc: subprocess.Popen, engine) -> bool:
    """Wait for the report; True when the engine stopped answering and the report was stopped."""
    missed, last_ping = 0, time.monotonic()
    while proc.poll() is None:
        time.sleep(0.5)
        if time.monotonic() - last_ping < PING_EVERY_S:
            continue
        last_ping = time.monotonic()
        missed = 0 if engine.answers(timeout=10) else missed + 1
        if missed >= MISSED_PINGS:
            _stop(proc)
            return True
    return False


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def stop_all() -> None:
    """Stop every report still running (the fleet was interrupted: nothing is left behind)."""
    for proc in list(_RUNNING):
        _stop(proc)


def run_report(spec, engine, out_dir: Path, history: Path, repeats: int, fresh: bool = False,
               log=print) -> Attempt:
    """Render ``spec``'s report on ``engine``; the attempt says whether the project or the engine failed."""
    from helpers.errors import DockoptError
    from helpers.paths import ROOT

    started = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    history.parent.mkdir(parents=True, exist_ok=True)
    logfile = out_dir / "fleet-report.log"
    if not engine.answers():
        return Attempt(spec.slug, engine.name, ENGINE_FAILED, 0.0,
                       f"engine {engine.name} ({engine.host}) does not answer", started)
    try:
        argv = report_argv(spec, out_dir, history, repeats, fresh)
    except DockoptError as exc:
        return Attempt(spec.slug, engine.name, FAILED, 0.0, exc.message, started)
    env = engine.env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    log(f"fleet: {spec.name} on {engine.name}: dockopt report -> {out_dir}")
    start = time.perf_counter()
    with open(logfile, "a", encoding="utf-8") as fh:
        fh.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} on {engine.name} ({engine.host})\n")
        fh.flush()
        offset = fh.tell()  # this attempt's output starts here (the log keeps earlier attempts)
        proc = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=str(ROOT), start_new_session=True)
        _RUNNING.add(proc)
        try:
            stopped = _watch(proc, engine)
        finally:
            _RUNNING.discard(proc)
    if stopped:
        return Attempt(spec.slug, engine.name, ENGINE_FAILED, time.perf_counter() - start,
                       f"engine {engine.name} stopped answering during the report; the report was stopped "
                       f"(log: {logfile})", started)
    seconds = time.perf_counter() - start
    with open(logfile, encoding="utf-8", errors="replace") as fh:
        fh.seek(offset)
        tail = fh.read()[-6000:]
    if proc.returncode == 0:
        return Attempt(spec.slug, engine.name, OK, seconds, "", started)
    if not engine.answers() or any(sign in tail for sign in ENGINE_SIGNS):
        return Attempt(spec.slug, engine.name, ENGINE_FAILED, seconds,
                       f"engine {engine.name} ({engine.host}) failed during the report (exit {proc.returncode}; "
                       f"log: {logfile})", started)
    failed = [line.strip() for line in tail.splitlines() if " failed: " in line or "FAILED" in line]
    return Attempt(spec.slug, engine.name, FAILED, seconds,
                   f"report exit {proc.returncode}: {'; '.join(failed[-3:]) or 'see ' + str(logfile)}", started)
