"""Numbering Dockerfile instructions as BuildKit does, and resolving base images."""

from helpers.dockerfile import steps as dockerfile_steps
from helpers import sample

MULTI = """\
ARG BASE=python:3.11
# a comment
FROM ${BASE} AS builder
ENV A=1
RUN apt-get update \\
 && apt-get install -y gcc
WORKDIR /src
COPY . .

FROM builder AS test
RUN make test

FROM ${RUNTIME:-debian:bookworm}
COPY --from=builder /src /src
CMD ["x"]
"""


def test_continuations_join_and_keep_the_first_line():
    steps = dockerfile_steps.parse(MULTI)
    run = steps.stages[0].instructions[2]
    assert (run.keyword, run.line, run.end_line) == ("RUN", 5, 6)
    assert run.text == "RUN apt-get update && apt-get install -y gcc"


def test_only_vertex_instructions_are_numbered():
    steps = dockerfile_steps.parse(MULTI)
    assert [i.keyword for i in steps.stages[0].vertex_steps] == ["FROM", "RUN", "WORKDIR", "COPY"]
    assert [i.keyword for i in steps.stages[2].vertex_steps] == ["FROM", "COPY"]


def test_stages_found_by_name_position_or_alone():
    steps = dockerfile_steps.parse(MULTI)
    assert steps.stage("builder").index == 0
    assert steps.stage("stage-2").index == 2
    assert steps.stage(None) is None
    assert dockerfile_steps.parse("FROM a\nRUN b\n").stage(None).index == 0


def test_base_images_expand_args_and_skip_stage_references():
    steps = dockerfile_steps.parse(MULTI)
    assert dockerfile_steps.base_images(steps) == ["python:3.11", "debian:bookworm"]
    assert dockerfile_steps.base_images(steps, {"BASE": "mine:1", "RUNTIME": "r:2"}) == ["mine:1", "r:2"]


def test_sample_phase3_bases_are_digest_references():
    steps = dockerfile_steps.read(sample.variant("phase3").dockerfile)
    args = {"BUILD_BASE": "reg/b", "BUILD_BASE_DIGEST": "sha256:aa", "RUNTIME_BASE": "reg/r",
            "RUNTIME_BASE_DIGEST": "sha256:bb"}
    assert dockerfile_steps.base_images(steps, args) == ["reg/b@sha256:aa", "reg/r@sha256:bb"]


def test_text_the_parser_rejects_gives_no_stages_rather_than_an_error():
    assert dockerfile_steps.parse("# only a comment\n").stages == []
    assert dockerfile_steps.parse("FROM a\nRUN <<EOF\nnever closed\n").stages == []
