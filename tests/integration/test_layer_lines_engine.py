"""On a real build, a repeated instruction gets the same line in the layer table and the security findings.

BuildKit writes the same history text for both copies, so only their order tells the layers
apart (helpers.dockerfile.history_match). FROM scratch keeps the build to a second.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.image.inspection import measure_image
from helpers.security.scan import scan_image

TAG = "dockopt-measure/layer-lines:repeated-copy"
REPEATED_COPY = """\
# the context copied twice; the second copy is the one the image shows
FROM scratch
COPY app/ /app/
COPY app/ /app/
"""


@pytest.fixture(scope="module")
def repeated_copy(engine, tmp_path_factory) -> tuple[str, Path]:
    from helpers.engine import buildkit

    context: Path = tmp_path_factory.mktemp("repeated-copy")
    (context / "app").mkdir()
    tool = context / "app" / "tool"
    tool.write_bytes(b"#!/bin/sh\n")
    tool.chmod(0o4755)  # setuid: a security finding on a file both layers carry
    (context / "Dockerfile").write_text(REPEATED_COPY)
    buildkit.build(context, context / "Dockerfile", TAG)
    return TAG, context / "Dockerfile"


def test_both_copies_make_a_layer_with_the_file(repeated_copy):
    tag, dockerfile = repeated_copy
    report = measure_image(tag, dockerfile, compressed=False, source="save")
    assert [(row.line, row.files) for row in report.layers.itertuples()] == [(3, 1), (4, 1)]


def test_the_security_finding_names_the_layer_tables_line(repeated_copy):
    tag, dockerfile = repeated_copy
    table = measure_image(tag, dockerfile, compressed=False).layers
    report = scan_image(tag, dockerfile, run_container=False, index=None)
    [setuid] = [f for f in report.finding_list if f.path == "/app/tool"]
    assert setuid.layer == 1
    assert setuid.line == table.loc[table["layer"] == setuid.layer, "line"].item() == 4
