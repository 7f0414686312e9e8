import pytest

from helpers.image.archive import DIR, FILE, SYMLINK, Entry
from helpers.measure import build_tools, dpkg
from helpers.measure.replay import Placed

STATUS = """Package: gcc-12
Status: install ok installed
Architecture: amd64
Version: 12.2.0-14
Installed-Size: 1000

Package: libc6-dev
Status: install ok installed
Architecture: amd64
Version: 2.36-9
Installed-Size: 12000

Package: gcc-12-base
Status: install ok installed
Architecture: amd64
Version: 12.2.0-14

Package: make
Status: deinstall ok config-files
Version: 4.3-4.1

Package: python3
Status: install ok installed
Version: 3.11.2-1
"""




def tree(items: dict) -> dict[str, Placed]:
    return {path: Placed(0, Entry(path, kind, size if kind == FILE else 0, 0o755, 0, 0, "" if kind == FILE else size))
            for path, (kind, size) in items.items()}


def test_parse_status_keeps_installed_packages_only():
    names = [p.name for p in dpkg.parse_status(STATUS)]
    assert names == ["gcc-12", "libc6-dev", "gcc-12-base", "python3"]


def test_tool_packages_exclude_runtime_bases():
    assert build_tools.tool_packages(STATUS) == ["gcc-12", "libc6-dev"]


def test_binaries_follow_symlinks_and_ignore_dangling_ones():
    final = tree({
        "/usr/bin/gcc-12": (FILE, 1000),
        "/usr/bin/gcc": (SYMLINK, "gcc-12"),
        "/usr/bin/cc": (SYMLINK, "/etc/alternatives/cc"),
        "/etc/alternatives/cc": (SYMLINK, "/usr/bin/gcc"),
        "/usr/bin/make": (SYMLINK, "/usr/bin/gone"),  # dangling: not a tool
        "/usr/bin/python3": (FILE, 10),
        "/usr/share/doc/gcc": (FILE, 10),  # not where an executable is run by name
    })
    assert build_tools.tool_binaries(final) == ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/gcc-12"]


def test_a_tool_pip_put_in_a_virtualenv_counts():
    final = tree({"/opt/venv/bin/cmake": (FILE, 10), "/app/.venv/bin/ninja": (FILE, 10),
                  "/opt/venv/bin/python": (FILE, 10), "/opt/venv/lib/cmake": (FILE, 10)})
    assert build_tools.tool_binaries(final) == ["/app/.venv/bin/ninja", "/opt/venv/bin/cmake"]


@pytest.mark.parametrize("name, kind", [
    ("gcc", "compiler"), ("x86_64-linux-gnu-gcc-12", "compiler"), ("aarch64-linux-gnu-cpp-12", "compiler"),
    ("cmake", "build system"), ("cmake-3.25", "build system"), ("pkg-config", "build system"),
    ("x86_64-linux-gnu-ld.bfd", "linker"), ("as", "linker"),
    ("gcc-ar", None), ("makeinfo", None), ("python3", None), ("git", None), ("pip", None)])
def test_tool_kinds(name, kind):
    assert build_tools.tool_kind(name) == kind


def test_merged_usr_bin_symlink_is_followed():
    final = tree({"/bin": (SYMLINK, "usr/bin"), "/usr/bin": (DIR, 0), "/usr/bin/gcc-12": (FILE, 5),
                  "/usr/bin/cc": (SYMLINK, "/bin/gcc-12")})
    assert build_tools.tool_binaries(final) == ["/usr/bin/cc", "/usr/bin/gcc-12"]


def test_headers_and_package_bytes():
    final = tree({"/usr/include/stdio.h": (FILE, 300), "/usr/lib/x86_64-linux-gnu/libc.a": (FILE, 5000),
                  "/usr/bin/python3": (FILE, 10)})
    found = build_tools.find(final, STATUS, {"/usr/lib/x86_64-linux-gnu/libc.a": "libc6-dev"})
    assert (found.header_files, found.header_bytes, found.package_bytes) == (1, 300, 5000)
    assert found.present


def test_clean_filesystem_has_no_build_tools():
    found = build_tools.find(tree({"/usr/bin/python3": (FILE, 10)}), "Package: python3\nStatus: install ok installed\n")
    assert not found.present
