import json

import pytest

from helpers.measure.report import analyse, healthcheck_of, uid_of
from tests.unit.conftest import TINY_DOCKERFILE, load_json


@pytest.mark.parametrize("user, passwd, uid", [
    ("", None, 0), ("root", None, 0), ("1000", None, 1000), ("1000:1000", None, 1000),
    ("appuser", "root:x:0:0::/root:/bin/bash\nappuser:x:1000:1000::/home/appuser:/bin/sh\n", 1000),
    ("ghost", "root:x:0:0::/root:/bin/bash\n", None),
])
def test_uid_of(user, passwd, uid):
    assert uid_of(user, passwd) == uid


@pytest.mark.parametrize("variant, present", [("original", False), ("phase1", False), ("phase2", True), ("phase3", True)])
def test_healthcheck_from_recorded_inspect(variant, present):
    assert (healthcheck_of(load_json(f"sample-{variant}.inspect.json")) is not None) == present


def test_tiny_report(tiny):
    report = analyse(tiny, load_json("tiny.inspect.json"), TINY_DOCKERFILE.read_text(), compressed=True)
    assert report.sizes.uncompressed_bytes == report.sizes.content_bytes == 2064546
    assert report.sizes.layer_count == 6
    assert 0 < report.sizes.compressed_bytes < report.sizes.content_bytes
    assert report.reclaimable_bytes == report.hidden_bytes == 64 * 1024 + 8 * 1024 + 4281
    assert (report.user, report.user_uid) == ("1000", 1000)
    assert report.healthcheck["Test"] == ["CMD", "/bin/busybox", "true"]
    assert list(report.layers["line"]) == [8, 10, 12, 13, 14, 17]
    scratch = report.waste.set_index("path").loc["/tmp/scratch.bin"]
    assert (scratch["line"], scratch["category"]) == (10, "files deleted later")
    json.dumps(report.summary(), default=str)
