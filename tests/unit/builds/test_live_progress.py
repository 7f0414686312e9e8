"""Live progress drawn from recorded BuildKit output (tests/fixtures/buildkit, recorded from real builds)."""

import io
import json
import threading
from pathlib import Path

from helpers.builds import live_progress

FIXTURES = Path(__file__).parents[2] / "fixtures" / "buildkit"


def lines(name: str) -> list[str]:
    return (FIXTURES / name).read_text().splitlines()


def test_the_current_step_follows_the_build():
    build = live_progress.Build("phase1: cold 1/3", estimate_s=37.0)
    steps = [build.step for line in lines("phase1-cold.log") if build.feed(line)]
    assert any(s.startswith("[builder ") and "RUN" in s for s in steps)
    assert steps[-1] == "exporting to image"
    status = build.status(now=build.started + 12.4)
    assert status.startswith("phase1: cold 1/3    12 s of ~37 s  ")


def test_status_fits_the_terminal():
    build = live_progress.Build("original: code 2/3", None)
    build.feed("#9 [7/7] RUN pip install --no-cache-dir " + "x" * 300)
    assert len(build.status(width=80)) == 80 and build.status(width=80).endswith("…")


def test_screen_draws_a_status_line_then_one_line_per_finished_build():
    out = io.StringIO()
    screen = live_progress.Screen(out, width=120)
    reporter = live_progress.Reporter(screen.handle)
    reporter.start("phase1: cold 1/3", 30.0)
    for line in lines("phase1-cold.log"):
        reporter.line(line)
    reporter.done("phase1: cold 1/3", 31.25)
    text = out.getvalue()
    assert "\r\x1b[K" in text and "phase1: cold 1/3" in text
    assert text.endswith("phase1: cold 1/3: 31.2 s\n") or text.endswith("phase1: cold 1/3: 31.3 s\n")
    failed = io.StringIO()
    screen = live_progress.Screen(failed)
    live_progress.Reporter(screen.handle).done("phase2: deps 1/1", 3.0, ok=False)
    assert failed.getvalue().strip().endswith("FAILED")


def test_no_terminal_no_file_means_nothing_is_drawn(monkeypatch):
    monkeypatch.delenv(live_progress.ENV, raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())  # not a TTY: a notebook or a log file
    assert not live_progress.reporter().active


def test_a_kernel_writes_events_the_terminal_process_follows(tmp_path, monkeypatch):
    events = tmp_path / "events.jsonl"
    monkeypatch.setenv(live_progress.ENV, str(events))
    out = io.StringIO()
    with live_progress.Follower(events, live_progress.Screen(out), poll_s=0.05):
        reporter = live_progress.reporter()  # what the kernel gets
        reporter.start("original: cold 1/1", None)
        for line in lines("original-cold.log"):
            reporter.line(line)
        reporter.done("original: cold 1/1", 44.2)
        done = threading.Event()
        done.wait(0.3)
    assert "original: cold 1/1: 44.2 s\n" in out.getvalue()
    assert all(json.loads(line)["t"] in ("start", "line", "done") for line in events.read_text().splitlines())


def test_quiet_wins(monkeypatch, tmp_path):
    monkeypatch.setenv(live_progress.ENV, str(tmp_path / "e"))
    monkeypatch.setenv(live_progress.QUIET_ENV, "1")
    assert not live_progress.reporter().active
