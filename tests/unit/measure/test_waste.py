import pytest

from helpers.measure import waste
from helpers.measure.replay import replay


@pytest.mark.parametrize("path, category", [
    ("/var/lib/apt/lists/mirror.example.org_dists_bookworm_InRelease", waste.APT),
    ("/var/cache/apt/pkgcache.bin", waste.APT),
    ("/root/.cache/pip/http/a/b", waste.PIP),
    ("/home/app/.cache/pip/wheels/x.whl", waste.PIP),
    ("/usr/lib/python3/dist-packages/__pycache__/six.cpython-311.pyc", waste.PYCACHE),
    ("/usr/include/stdio.h", waste.BUILD_TOOLS),
    ("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", waste.BUILD_TOOLS),
    ("/usr/bin/gcc-12", waste.BUILD_TOOLS),
    ("/usr/lib/x86_64-linux-gnu/libbfd.so", waste.BUILD_TOOLS),  # owned by binutils per dpkg
    ("/usr/lib/x86_64-linux-gnu/libc.so.6", None),
    ("/app/main.py", None),
])
def test_category_of_path(path, category):
    owners = {"/usr/lib/x86_64-linux-gnu/libbfd.so": "binutils", "/usr/lib/x86_64-linux-gnu/libc.so.6": "libc6"}
    assert waste.category_of_path(path, owners, {"binutils"}) == category


def test_tiny_image_waste_by_category(tiny):
    found = waste.items(replay(tiny))
    totals = waste.by_category(found)
    assert totals[waste.DELETED_LATER] == 64 * 1024 + 8 * 1024
    assert totals[waste.DUPLICATES] == 4281
    assert waste.hidden_bytes(found) == 64 * 1024 + 8 * 1024 + 4281
    assert waste.removable_bytes(found) == 0
    assert {i.path for i in found if i.category == waste.DELETED_LATER} == {"/tmp/scratch.bin", "/app/data/old.bin"}
