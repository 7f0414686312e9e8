"""Emulation status from /proc/sys/fs/binfmt_misc contents (no kernel changes, no engine).

``qemu-aarch64-debian-bookworm.txt`` is the handler file the kernel showed on this kind of
machine after ``emulation.ensure()`` registered Debian's qemu-user-static line; the other
cases are that recording edited the way the kernel would show each fault.
"""

from pathlib import Path

import pytest

from helpers.engine import emulation

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "binfmt"
REGISTERED = (FIXTURES / "qemu-aarch64-debian-bookworm.txt").read_text()
ENABLED = (FIXTURES / "status-enabled.txt").read_text()


def test_parse_recorded_entry():
    entry = emulation.parse_entry(REGISTERED)
    assert entry["state"] == "enabled"
    assert entry["interpreter"] == "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"
    assert entry["flags"] == "POF"


def test_recorded_registration_is_available():
    status = emulation.judge("arm64", "x86_64", True, ENABLED, REGISTERED)
    assert status.available and status.reason == ""
    assert "qemu-aarch64" in status.how and "POF" in status.how


@pytest.mark.parametrize("mounted, global_status, entry, reason_has", [
    (False, None, None, "not mounted"),
    (True, "disabled\n", REGISTERED, "binfmt_misc is disabled"),
    (True, ENABLED, None, "no qemu-aarch64 handler is registered"),
    (True, ENABLED, REGISTERED.replace("enabled", "disabled", 1), "registered but disabled"),
    (True, ENABLED, REGISTERED.replace("flags: POF", "flags: "), "lacks the F (fix-binary) flag"),
])
def test_unavailable_says_why(mounted, global_status, entry, reason_has):
    status = emulation.judge("arm64", "x86_64", mounted, global_status, entry)
    assert not status.available
    assert reason_has in status.reason
    assert status.describe() == f"skipped: {status.reason}"


def test_native_architecture_needs_no_emulation():
    assert emulation.judge("arm64", "aarch64", False, None, None) == emulation.EmulationStatus(True, "native")
    assert emulation.judge("amd64", "x86_64", False, None, None).available


def test_unknown_architecture():
    status = emulation.judge("riscv64", "x86_64", True, ENABLED, None)
    assert not status.available and "riscv64" in status.reason


def test_detect_reads_a_binfmt_directory(tmp_path):
    empty = emulation.detect("arm64", tmp_path)
    assert empty.how == "native" or "not mounted" in empty.reason
    (tmp_path / "register").write_text("")
    (tmp_path / "status").write_text(ENABLED)
    (tmp_path / "qemu-aarch64").write_text(REGISTERED)
    assert emulation.detect("arm64", tmp_path).available
