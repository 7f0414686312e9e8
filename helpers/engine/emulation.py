"""Whether this machine can run foreign-architecture (arm64) binaries, and setting that up.

A multi-platform build runs the other platform's RUN steps, and its smoke command, through
QEMU user emulation. The kernel hands a foreign ELF binary to QEMU only when binfmt_misc is
mounted and a handler for that architecture is registered and enabled. Inside an engine's
containers the interpreter path does not exist, so the handler must also carry the ``F``
(fix-binary) flag, which makes the kernel open the interpreter once, at registration.

Detection is a pure function over the files under ``/proc/sys/fs/binfmt_misc`` so it can be
tested from recorded contents. Set-up happens only where it honestly can (root on Debian with
the privilege to mount and register); everywhere else the status says why not, and the product
reports "skipped: <reason>" instead of pretending.
"""

from __future__ import annotations

import os
import platform as host_platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

from helpers.engine import debian_packages
from helpers.errors import DockoptError

BINFMT_DIR = Path("/proc/sys/fs/binfmt_misc")
HANDLERS = {"arm64": "qemu-aarch64", "amd64": "qemu-x86_64"}
QEMU_PACKAGE = "qemu-user-static"
BINFMT_CONF_DIR = Path("/usr/lib/binfmt.d")
NATIVE_MACHINES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


@dataclass(frozen=True)
class EmulationStatus:
    """Whether ``arch`` binaries run here.

    Attributes:
        available: True only when the kernel really dispatches such binaries (or they are native).
        how: the mechanism when available ("native", "binfmt_misc qemu-aarch64 (flags F)"), and
            what set-up did, so a report can show it.
        reason: why not, when unavailable; a sentence a person can act on. Empty when available.
    """

    available: bool
    how: str = ""
    reason: str = ""

    def describe(self) -> str:
        return self.how if self.available else f"skipped: {self.reason}"


def parse_entry(text: str) -> dict[str, str]:
    """Fields of one registered handler file (``enabled``, ``interpreter``, ``flags``, ...).

    The kernel writes one field per line, ``enabled``/``disabled`` alone and the rest as
    ``name value`` (``flags: F``); keep what is needed to judge it.
    """
    fields: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if line in ("enabled", "disabled"):
            fields["state"] = line
        elif line:
            key, _, value = line.partition(" ")
            fields[key.rstrip(":")] = value.strip()
    return fields


def judge(arch: str, machine: str, mounted: bool, global_status: str | None,
          entry_text: str | None) -> EmulationStatus:
    """The status from what /proc says; pure, so it is testable from recorded files.

    Args:
        arch: the Debian architecture wanted (``arm64``).
        machine: ``platform.machine()`` of this host.
        mounted: whether binfmt_misc is mounted (its ``register`` file exists).
        global_status: contents of ``binfmt_misc/status`` (``enabled``/``disabled``), if mounted.
        entry_text: contents of the handler's file (``binfmt_misc/qemu-aarch64``), if registered.
    """
    if NATIVE_MACHINES.get(machine) == arch:
        return EmulationStatus(True, "native")
    handler = HANDLERS.get(arch)
    if handler is None:
        return EmulationStatus(False, reason=f"dockopt knows no QEMU handler for {arch}")
    if not mounted:
        return EmulationStatus(False, reason="binfmt_misc is not mounted at /proc/sys/fs/binfmt_misc")
    if (global_status or "").strip() == "disabled":
        return EmulationStatus(False, reason="binfmt_misc is disabled (/proc/sys/fs/binfmt_misc/status)")
    if entry_text is None:
        return EmulationStatus(False, reason=f"no {handler} handler is registered with binfmt_misc")
    entry = parse_entry(entry_text)
    if entry.get("state") != "enabled":
        return EmulationStatus(False, reason=f"the {handler} binfmt_misc handler is registered but disabled")
    flags = entry.get("flags", "")
    if "F" not in flags:
        return EmulationStatus(False, reason=f"the {handler} handler lacks the F (fix-binary) flag, so "
                               f"containers cannot reach its interpreter {entry.get('interpreter', '?')}")
    return EmulationStatus(True, f"binfmt_misc {handler} -> {entry.get('interpreter', '?')} (flags {flags})")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return None


def detect(arch: str = "arm64", root: Path = BINFMT_DIR) -> EmulationStatus:
    """What the kernel says right now; changes nothing."""
    handler = HANDLERS.get(arch, f"qemu-{arch}")
    return judge(arch, host_platform.machine(), (root / "register").exists(),
                 _read(root / "status"), _read(root / handler))


def _mount(root: Path) -> str | None:
    """Mount binfmt_misc; the failure text when the kernel or the container refuses."""
    proc = subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(root)],
                          capture_output=True, text=True)
    return None if proc.returncode == 0 else (proc.stderr.strip() or f"exit {proc.returncode}")


def _register(handler: str, root: Path) -> str | None:
    """Register the handler from qemu-user-static's own binfmt.d line; the failure text if any."""
    conf = BINFMT_CONF_DIR / f"{handler}.conf"
    line = next((ln for ln in (_read(conf) or "").splitlines() if ln.startswith(":")), None)
    if line is None:
        return f"{conf} has no registration line"
    try:
        (root / "register").write_text(line)
    except OSError as exc:
        return str(exc)
    return None


def ensure(arch: str = "arm64", root: Path = BINFMT_DIR, log=print) -> EmulationStatus:
    """Make ``arch`` binaries runnable here if this machine allows it; idempotent.

    Mounting binfmt_misc and registering a handler change the kernel's state for the whole
    host, so this acts only as root, installs only through Debian's apt, and registers only
    a handler that is missing (an existing one, enabled or not, is someone's choice and is
    reported, not overwritten).
    """
    status = detect(arch, root)
    if status.available:
        return status
    handler = HANDLERS.get(arch)
    if handler is None:
        return status
    if os.geteuid() != 0:
        return EmulationStatus(False, reason=f"{status.reason}, and only root can set it up")
    if not (root / "register").exists():
        error = _mount(root)
        if error:
            return EmulationStatus(False, reason=f"{status.reason} and mounting it failed ({error}); "
                                   "a container needs the privilege to mount it")
        log("mounted binfmt_misc")
        status = detect(arch, root)
        if status.available:
            return EmulationStatus(True, f"{status.how}; mounted binfmt_misc")
    if (root / handler).exists():
        return status  # registered but disabled or without F: not ours to change
    if not debian_packages.can_install() and not (BINFMT_CONF_DIR / f"{handler}.conf").exists():
        return EmulationStatus(False, reason=f"{status.reason}, and {QEMU_PACKAGE} can be installed "
                               "automatically only on Debian")
    try:
        debian_packages.ensure(QEMU_PACKAGE, f"{handler}-static", f"to run {arch} binaries under emulation")
    except DockoptError as exc:
        return EmulationStatus(False, reason=f"{status.reason}, and installing {QEMU_PACKAGE} failed: {exc.message}")
    if not (root / handler).exists():  # the package's postinst may have registered it already
        error = _register(handler, root)
        if error:
            return EmulationStatus(False, reason=f"{status.reason}, and registering it failed ({error})")
        log(f"registered the {handler} binfmt_misc handler")
    after = detect(arch, root)
    return EmulationStatus(True, f"{after.how}; set up by dockopt") if after.available else after
