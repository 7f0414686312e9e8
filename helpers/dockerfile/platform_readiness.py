"""Is a Dockerfile ready for linux/arm64? Judged from its text, before an emulated build is paid for.

Building arm64 under QEMU on an amd64 host takes about ten minutes for a Python image, so the
default report judges readiness statically and names the command that builds it for real:

- every base must have an arm64 image: dockopt's own bases can be built for arm64 from Debian
  packages; for any other base this machine cannot read the registry's manifest list, so it
  says so rather than guess;
- no step may fetch something for one architecture only (a download URL or file name naming
  x86_64/amd64/x64, a ``--platform=linux/amd64`` FROM, a manylinux x86_64 wheel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from helpers.dockerfile import steps
from helpers.dockerfile.model import parse_text

ARCH_WORDS = re.compile(r"(?i)(x86[_-]64|amd64|\bx64\b|linux64|win64|i[3-6]86)")
FETCH = re.compile(r"(?i)(https?://|ftp://|\.whl\b|\.deb\b|\.tar\b|\.tgz\b|\.zip\b|\.rpm\b|\.AppImage\b)")
NOTE = ("The emulated build runs only when asked: `dockopt report --platforms` (or `dockopt platforms "
        "--dockerfile FILE --context DIR`) builds and starts it for linux/arm64 under QEMU")


@dataclass(frozen=True)
class Readiness:
    """The static verdict for one platform: ``ready`` True/False/None (cannot tell here) and why."""

    platform: str
    ready: bool | None
    reasons: tuple[str, ...]

    def summary(self) -> str:
        verdict = {True: "likely ready", False: "NOT ready", None: "cannot tell here"}[self.ready]
        return f"{verdict} (static check): " + "; ".join(self.reasons)


def arch_specific_lines(text: str) -> list[tuple[int, str]]:
    """(line, what) for each instruction that fetches something built for one architecture."""
    model = parse_text(text)
    found = []
    for ins in model.instructions:
        if ins.cmd == "FROM" and any(re.fullmatch(r"--platform=linux/(amd64|386)", f) for f in ins.flags):
            found.append((ins.start_line, f"FROM pins {' '.join(ins.flags)}"))
            continue
        if ins.cmd not in ("RUN", "ADD"):
            continue
        body = " ".join(ins.value)
        for word in re.findall(r"\S+", body):
            if ARCH_WORDS.search(word) and FETCH.search(word):
                found.append((ins.start_line, f"{ins.cmd} fetches {word[:120]}"))
                break
    return found


def bases(text: str, build_args: dict[str, str] | None = None) -> list[str]:
    """The external images the stages are built FROM (ARG defaults and build args substituted)."""
    return steps.base_images(parse_text(text), build_args)


def judge_arm64(dockerfile: Path, build_args: dict[str, str] | None = None, exists=None) -> Readiness:
    """The arm64 verdict for ``dockerfile``; ``exists(tag)`` says whether the engine holds an image."""
    from helpers.engine import base_images

    text = Path(dockerfile).read_text()
    reasons, ready = [], True
    ours = {base_images.ROOTFS_TAG, base_images.PYTHON_TAG, base_images.MINIMAL_TAG}
    for base in bases(text, build_args):
        plain = base.split("@")[0]
        local = re.sub(r"^(127\.0\.0\.1|localhost):\d+/", "", plain)  # dockopt's loopback registry
        if plain in ours:
            arm = f"{plain}-arm64"
            have = bool(exists and exists(arm))
            reasons.append(f"{plain}: dockopt builds its arm64 image from Debian packages"
                           + (f" ({arm} is here)" if have else " (`dockopt base --platform linux/arm64`)"))
        elif local != plain and local.split(":")[0] in {t.split(":")[0] for t in ours}:
            reasons.append(f"{local}: dockopt's own base, pinned in its local registry; its arm64 image is built "
                           "from Debian packages (`dockopt base --platform linux/arm64`)")
        else:
            ready = None if ready else ready
            reasons.append(f"{base}: no registry is reachable here to read whether its manifest list has arm64")
    specific = arch_specific_lines(text)
    if specific:
        ready = False
        reasons += [f"line {line}: {what}" for line, what in specific]
    else:
        reasons.append("no step fetches an architecture-specific file")
    return Readiness("linux/arm64", ready, tuple(dict.fromkeys(reasons)))
