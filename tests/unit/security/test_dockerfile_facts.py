"""Dockerfile instructions with line numbers, and history entries matched back to them."""

from __future__ import annotations

import json

import pytest

from helpers.paths import REFERENCE_VARIANTS, SAMPLE_DOCKERFILE
from helpers.security import dockerfile_facts as d
from tests.unit.security.conftest import FIXTURES

MEASURE_FIXTURES = FIXTURES.parent.parent / "measure" / "fixtures"


def test_continuations_and_comments():
    text = "# c\nFROM a AS b\nRUN x \\\n  # inside\n  && y\n\nARG Z=1\nFROM b\nUSER 1\n"
    items = d.instructions(text)
    assert [(i.line, i.keyword, i.args, i.stage) for i in items] == [
        (2, "FROM", "a AS b", 0), (3, "RUN", "x && y", 0), (7, "ARG", "Z=1", 0), (8, "FROM", "b", 1), (9, "USER", "1", 1)]
    assert d.arg_defaults(items) == {"Z": "1"}


@pytest.mark.parametrize("dockerfile, history, expected", [
    (SAMPLE_DOCKERFILE, "sample-original", {"COPY . . # buildkit": 20, "WORKDIR /app": 13}),
    (REFERENCE_VARIANTS / "Dockerfile.phase3", "sample-phase3",
     {"COPY /opt/venv /opt/venv # buildkit": 34, "USER appuser": 39}),
])
def test_recorded_history_maps_to_dockerfile_lines(dockerfile, history, expected):
    items = d.instructions(dockerfile.read_text())
    entries = json.loads((MEASURE_FIXTURES / f"{history}.history.json").read_text())
    lines = {e["CreatedBy"]: d.line_for(e["CreatedBy"], items) for e in entries}
    for created_by, line in expected.items():
        assert lines[created_by] == line
    run_lines = [line for created_by, line in lines.items() if created_by.startswith("RUN") and line]
    assert run_lines, "at least one RUN of the final stage is matched"


def test_a_base_image_layer_matches_nothing():
    items = d.instructions("FROM x\nRUN a\n")
    assert d.line_for("RUN /bin/sh -c apt-get update # buildkit", items) is None
    assert d.line_for("|1 A=b /bin/sh -c a # buildkit", items) == 2


def test_text_the_parser_rejects_has_no_instructions():
    assert d.instructions("") == []
    assert d.instructions("FROM a\nRUN <<EOF\nnever closed\n") == []
