"""dpkg status, Debian's security index and version ordering, on recorded real data."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.security import debian_security, debversion, dpkg_status, os_fixes
from tests.unit.security.conftest import FIXTURES, RECORDED_INDEX

STATUS = FIXTURES / "planted" / "rootfs" / "var" / "lib" / "dpkg" / "status"


def test_dpkg_status_reads_installed_packages_with_their_source():
    packages = {p.name: p for p in dpkg_status.installed(STATUS.read_text())}
    assert set(packages) == {"bash", "dpkg", "libexpat1", "libpam0g", "libpython3.11-minimal", "libssl3",
                             "python3.11-minimal", "tzdata", "zlib1g"}
    assert packages["libssl3"].source == "openssl" and packages["zlib1g"].version == "1:1.2.13.dfsg-1"
    assert packages["tzdata"].source == "tzdata"  # no Source field: the binary's own name


def test_dpkg_status_skips_packages_not_fully_installed():
    text = "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: here\nStatus: install ok installed\nVersion: 2\n"
    assert [p.name for p in dpkg_status.installed(text)] == ["here"]


def test_security_index_parse_keeps_source_and_version():
    index = debian_security.parse_packages(RECORDED_INDEX.read_text())
    assert index["libssl3"] == ("3.0.22-1~deb12u2", "openssl")
    assert index["tzdata"][1] == "tzdata"  # no Source field: the binary's own name
    assert "zlib1g" not in index and "bash" not in index  # no security upload for them


def test_pending_fixes_on_recorded_status_and_index():
    installed = dpkg_status.installed(STATUS.read_text())
    index = debian_security.parse_packages(RECORDED_INDEX.read_text())
    pending = {p.package: p for p in os_fixes.pending_fixes(installed, index)}
    assert set(pending) == {"libexpat1", "libpam0g", "libpython3.11-minimal", "libssl3", "python3.11-minimal", "tzdata"}
    assert (pending["libssl3"].installed, pending["libssl3"].fixed) == ("3.0.20-1~deb12u2", "3.0.22-1~deb12u2")
    assert "bash" not in pending and "zlib1g" not in pending  # not in the security suite at all


def test_not_scanned_is_never_zero():
    assert os_fixes.OsFixes(scanned=False, reason="no index").count is None
    assert os_fixes.OsFixes(scanned=True).count == 0


@pytest.mark.parametrize("a, b, less", [
    ("1.0", "1.0-1", True), ("1:1.0", "2.0", False), ("1.0~rc1", "1.0", True),
    ("3.0.20-1~deb12u2", "3.0.22-1~deb12u2", True), ("1.0.9-2+b6", "1.0.9-2+deb12u1", True),
    ("2026f-0+deb12u1", "2026b-0+deb12u1", False), ("1.0", "1.0", False),
])
def test_debian_version_order(a, b, less):
    assert debversion.less_than(a, b) is less


DEB822 = """Types: deb
# http://snapshot.example/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb deb-src
URIs: http://mirror.example/debian-security/
Suites: bookworm-security
Components: main contrib
"""


def test_security_source_from_deb822_and_one_line_formats():
    source = debian_security.security_source(debian_security.parse_deb822_sources(DEB822))
    assert source == debian_security.AptSource("http://mirror.example/debian-security", "bookworm-security",
                                               ("main", "contrib"))
    one_line = "deb [signed-by=/k.gpg] http://m.example/sec bookworm-security main # comment\ndeb http://m.example/d bookworm main\n"
    assert debian_security.security_source(debian_security.parse_one_line_sources(one_line)).uri == "http://m.example/sec"
    assert debian_security.index_url(source, "bookworm", "arm64") == \
        "http://mirror.example/debian-security/dists/bookworm-security/main/binary-arm64/Packages.xz"


def test_no_security_suite_is_an_error_not_an_empty_result():
    with pytest.raises(debian_security.NoSecuritySource):
        debian_security.security_source(debian_security.parse_one_line_sources("deb http://m.example/d bookworm main\n"))


def test_fetch_index_uses_todays_cache_without_the_network(tmp_path):
    import lzma

    day = dt.date(2026, 1, 2)
    cached = tmp_path / "2026-01-02_bookworm-security_main_amd64_Packages.xz"
    cached.write_bytes(lzma.compress(RECORDED_INDEX.read_bytes()))
    nowhere = debian_security.AptSource("http://127.0.0.1:9/debian-security", "bookworm-security", ("main",))
    index = debian_security.fetch_index("bookworm", "amd64", nowhere, cache_dir=tmp_path, today=day)
    assert index.fetched == "2026-01-02" and "libssl3" in index.packages
    with pytest.raises(Exception, match="could not be downloaded"):
        debian_security.fetch_index("bookworm", "amd64", nowhere, cache_dir=tmp_path, today=dt.date(2026, 1, 3),
                                    timeout_s=2)
