"""How per-platform results read: a skip says why, a failure says what, a table row per platform."""

from helpers.commands.platforms_cmd import table
from helpers.engine.multiplatform import PlatformResult, platform_tag

BUILT = PlatformResult("linux/arm64", tag="r:phase3-arm64", built=True, seconds=512.3, size_bytes=461_000_000,
                       arch="arm64", emulated=True, smoke_passed=True, smoke_seconds=9.5)
SKIPPED = PlatformResult("linux/arm64", skipped="binfmt_misc is not mounted at /proc/sys/fs/binfmt_misc")
WRONG_ARCH = PlatformResult("linux/arm64", tag="r:x-arm64", seconds=3.0, arch="amd64",
                            error="the engine records Architecture amd64, not arm64")
SMOKE_FAILED = PlatformResult("linux/amd64", tag="r:x-amd64", built=True, arch="amd64", smoke_passed=False,
                              error="smoke command did not print 'ok'\nTraceback ...")


def test_summary_and_ok():
    assert BUILT.ok and BUILT.summary() == "ok"
    assert not SKIPPED.ok and SKIPPED.summary() == "skipped: binfmt_misc is not mounted at /proc/sys/fs/binfmt_misc"
    assert not WRONG_ARCH.ok and WRONG_ARCH.summary() == "failed: the engine records Architecture amd64, not arm64"
    assert not SMOKE_FAILED.ok and SMOKE_FAILED.summary() == "failed: smoke command did not print 'ok'"


def test_built_without_smoke_command_is_ok():
    assert PlatformResult("linux/amd64", built=True, arch="amd64").ok


def test_table_has_one_row_per_platform_with_its_numbers():
    lines = table([BUILT, SKIPPED]).splitlines()
    assert lines[0].split()[:3] == ["platform", "arch", "how"]
    assert lines[1].split() == ["linux/arm64", "arm64", "emulated", "512.3", "461", "passed", "9.5", "ok"]
    assert lines[2].split()[:7] == ["linux/arm64", "-", "-", "-", "-", "-", "-"]
    assert lines[2].endswith("skipped: binfmt_misc is not mounted at /proc/sys/fs/binfmt_misc")


def test_per_platform_tags():
    assert platform_tag("dockopt-platform/snsw", "phase3", "linux/arm64") == "dockopt-platform/snsw:phase3-arm64"
    assert platform_tag("dockopt-platform/snsw", "phase3", "linux/amd64") == "dockopt-platform/snsw:phase3-amd64"
