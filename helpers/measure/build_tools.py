"""Build tools left in an image's final filesystem: compilers, make/cmake, linkers, headers.

Three kinds of evidence, since any one can be missing: executables by name on the paths a
shell or a virtualenv searches (symlinks followed, so a dangling ``cc`` does not count),
headers under ``/usr/include``, and installed packages that exist only to build things
(``-dev``, compilers, binutils) per the image's dpkg database.

Which executables are build tools, and where, is said once here (``BUILD_TOOLS``,
``tool_kind``, ``on_bin_path``): the security check SEC005 reads the same knowledge, so the
layer table and a security finding cannot disagree about a file.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from helpers.image.archive import FILE, HARDLINK, SYMLINK
from helpers.measure import dpkg
from helpers.measure.replay import Placed

# Executables that build software, by kind. A name may carry a target triplet prefix
# (x86_64-linux-gnu-gcc) and a version suffix (gcc-12, cmake-3.25).
BUILD_TOOLS = {
    "compiler": ("gcc", "g++", "cc", "c++", "cpp", "gfortran", "clang", "clang++", "rustc"),
    "build system": ("make", "gmake", "cmake", "ninja", "meson", "scons", "autoconf", "automake", "libtool",
                     "pkg-config", "pkgconf", "cargo"),
    "linker": ("ld", "ld.bfd", "ld.gold", "as"),
}
_KIND = {name: kind for kind, names in BUILD_TOOLS.items() for name in names}
TOOL = re.compile(
    r"^(?:[a-z0-9_]+-linux-gnu[a-z]*-)?"  # target triplet prefix (x86_64-linux-gnu-gcc-12)
    r"(" + "|".join(re.escape(n) for n in sorted(_KIND, key=len, reverse=True)) + r")(?:-\d+(?:\.\d+)*)?$")
# Where an executable is found by name: the system's bin paths, an /opt prefix's, a virtualenv's
# (pip installs cmake and ninja there; a COPY may put a compiler anywhere on PATH).
BIN_DIRS = ("/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/sbin")
_OTHER_BIN_DIR = re.compile(r"^/opt/[^/]+/bin$|/venv/bin$|/\.venv/bin$")


def tool_kind(name: str) -> str | None:
    """``compiler``, ``build system`` or ``linker`` for a build tool's executable name, else None."""
    match = TOOL.match(name)
    return _KIND[match.group(1)] if match else None


def on_bin_path(directory: str) -> bool:
    """Whether an executable in ``directory`` is run by name (a bin directory of the system, of
    an /opt prefix or of a virtualenv)."""
    return directory in BIN_DIRS or (directory.endswith("/bin") and bool(_OTHER_BIN_DIR.search(directory)))


HEADER_DIRS = ("/usr/include/", "/usr/local/include/")
TOOL_PACKAGE = re.compile(
    r"^(build-essential|make|cmake|cmake-data|ninja-build|autoconf|automake|libtool|pkgconf|pkg-config|"
    r"dpkg-dev|binutils(-.+)?|(gcc|g\+\+|cpp|gfortran|clang|llvm)(-\d+(\.\d+)*)?|.+-dev)$")


@dataclass
class BuildTools:
    binaries: list[str] = field(default_factory=list)  # e.g. /usr/bin/gcc
    header_files: int = 0
    header_bytes: int = 0
    packages: list[str] = field(default_factory=list)  # installed build-only packages (dpkg)
    package_bytes: int = 0  # bytes of files those packages own, as present

    @property
    def present(self) -> bool:
        return bool(self.binaries or self.header_files or self.packages)

    def as_dict(self) -> dict:
        return {**self.__dict__, "present": self.present}


def resolve(final: dict[str, Placed], path: str, depth: int = 16) -> Placed | None:
    """Follow symlinks (absolute or relative) inside the image; None if the chain dangles."""
    for _ in range(depth):
        placed = final.get(path) or _via_parent_link(final, path)
        if placed is None:
            return None
        if placed.entry.type != SYMLINK:
            return placed
        target = placed.entry.linkname
        path = posixpath.normpath(target if target.startswith("/") else posixpath.join(posixpath.dirname(path), target))
    return None


def _via_parent_link(final: dict[str, Placed], path: str) -> Placed | None:
    """``/bin/gcc`` on a merged-/usr image, where ``/bin`` is a symlink to ``usr/bin``."""
    parent, name = posixpath.split(path)
    placed = final.get(parent)
    if placed is None or placed.entry.type != SYMLINK or parent == "/":
        return None
    target = placed.entry.linkname
    real = posixpath.normpath(target if target.startswith("/") else posixpath.join(posixpath.dirname(parent), target))
    return final.get(posixpath.join(real, name))


def tool_binaries(final: dict[str, Placed]) -> list[str]:
    found = []
    for path, placed in final.items():
        if placed.entry.type not in (FILE, SYMLINK, HARDLINK):
            continue
        directory, _, name = path.rpartition("/")
        if on_bin_path(directory) and TOOL.match(name):
            target = resolve(final, path)
            if target is not None and target.entry.type in (FILE, HARDLINK):
                found.append(path)
    return sorted(found)


def tool_packages(status_text: str | None) -> list[str]:
    if not status_text:
        return []
    return sorted(p.name for p in dpkg.parse_status(status_text) if TOOL_PACKAGE.match(p.name))


def find(final: dict[str, Placed], status_text: str | None = None, owners: dict[str, str] | None = None) -> BuildTools:
    """The build tools in a final filesystem (see module doc for the evidence used)."""
    result = BuildTools(binaries=tool_binaries(final), packages=tool_packages(status_text))
    wanted = set(result.packages)
    for path, placed in final.items():
        if placed.entry.type != FILE:
            continue
        if path.startswith(HEADER_DIRS):
            result.header_files += 1
            result.header_bytes += placed.entry.size
        if owners and owners.get(path) in wanted:
            result.package_bytes += placed.entry.size
    return result


def is_build_tool_path(path: str, owners: dict[str, str] | None, tool_package_names: set[str]) -> bool:
    """Whether a file belongs to the build tooling (for waste categories)."""
    if path.startswith(HEADER_DIRS) or path.startswith(("/usr/lib/gcc/", "/usr/libexec/gcc/")):
        return True
    if owners is not None and owners.get(path) in tool_package_names:
        return True
    directory, _, name = path.rpartition("/")
    return on_bin_path(directory) and bool(TOOL.match(name))


