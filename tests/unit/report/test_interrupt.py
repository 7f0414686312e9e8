"""Ctrl-C during a render: passed on to the kernel's process group, no further cell, a second one kills."""

import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from helpers.report import interrupt

CATCHES_SIGINT = ("import signal, sys, time\n"
                  "signal.signal(signal.SIGINT, lambda *a: sys.exit(42))\n"
                  "print('ready', flush=True)\n"
                  "time.sleep(60)\n")


@pytest.fixture
def kernel_like():
    """A process in its own session, as jupyter_client starts a kernel, that exits 42 on SIGINT."""
    proc = subprocess.Popen([sys.executable, "-c", CATCHES_SIGINT], start_new_session=True, stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"ready"
    yield SimpleNamespace(provisioner=SimpleNamespace(process=proc), proc=proc)
    proc.kill()
    proc.wait()


def test_the_first_stop_interrupts_the_kernel_and_no_cell_starts_after_it(kernel_like):
    stop = interrupt.Stop()
    stop.started(kernel_like)
    stop.before_cell(cell=None, cell_index=0)  # nothing asked yet: cells run
    stop.request(signal.SIGINT)
    try:
        assert kernel_like.proc.wait(10) == 42  # the kernel saw SIGINT (its cell would raise KeyboardInterrupt)
        assert stop.requested and stop.signal_name == "SIGINT"
        with pytest.raises(interrupt.StopRequested):
            stop.before_cell(cell=None, cell_index=1)
    finally:
        stop.close()


def test_a_kernel_started_after_the_stop_is_interrupted_at_once(kernel_like):
    stop = interrupt.Stop()
    stop.request(signal.SIGTERM)
    stop.started(kernel_like)
    try:
        assert kernel_like.proc.wait(10) == 42
    finally:
        stop.close()


def test_a_second_stop_kills_and_raises(kernel_like):
    stop = interrupt.Stop()
    stop.requested, stop.signal_name = True, "SIGINT"
    stop.kernels.append(kernel_like)
    with pytest.raises(KeyboardInterrupt):
        stop.request(signal.SIGINT)
    assert kernel_like.proc.wait(10) == -signal.SIGKILL


def test_a_kernel_that_ignores_the_interrupt_is_killed_after_the_grace(kernel_like, monkeypatch):
    monkeypatch.setattr(interrupt, "GRACE_S", 0.2)
    ignores = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
                                "print('ready', flush=True); time.sleep(60)"], start_new_session=True,
                               stdout=subprocess.PIPE)
    assert ignores.stdout.readline().strip() == b"ready"
    stop = interrupt.Stop(kernels=[SimpleNamespace(provisioner=SimpleNamespace(process=ignores))])
    start = time.monotonic()
    stop.request(signal.SIGINT)
    assert ignores.wait(10) == -signal.SIGKILL and time.monotonic() - start < 5


def test_signals_are_restored_after_the_render():
    before = signal.getsignal(signal.SIGINT)
    with interrupt.forwarded() as stop:
        assert signal.getsignal(signal.SIGINT) is not before
        assert interrupt.engine_kwargs(stop)["kernel_manager_class"] is interrupt.RenderKernelManager
    assert signal.getsignal(signal.SIGINT) is before
