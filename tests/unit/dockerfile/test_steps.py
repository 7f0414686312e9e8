"""Numbering Dockerfile instructions as BuildKit does, and resolving base images."""

from helpers import sample
from helpers.dockerfile import steps as dockerfile_steps
from helpers.dockerfile.model import parse_text

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
    run = parse_text(MULTI).stages[0].instructions[1]
    assert (run.cmd, run.start_line, run.end_line) == ("RUN", 5, 6)
    assert run.printed == "RUN apt-get update && apt-get install -y gcc"


def test_only_vertex_instructions_are_numbered():
    model = parse_text(MULTI)
    assert [i.cmd for i in model.stages[0].vertex_steps] == ["FROM", "RUN", "WORKDIR", "COPY"]
    assert [i.cmd for i in model.stages[2].vertex_steps] == ["FROM", "COPY"]


def test_stages_found_by_name_position_or_alone():
    model = parse_text(MULTI)
    assert dockerfile_steps.stage_for(model, "builder").index == 0
    assert dockerfile_steps.stage_for(model, "BUILDER").index == 0
    assert dockerfile_steps.stage_for(model, "stage-2").index == 2
    assert dockerfile_steps.stage_for(model, None) is None
    assert dockerfile_steps.stage_for(parse_text("FROM a\nRUN b\n"), None).index == 0


def test_base_images_expand_args_and_skip_stage_references():
    model = parse_text(MULTI)
    assert dockerfile_steps.base_images(model) == ["python:3.11", "debian:bookworm"]
    assert dockerfile_steps.base_images(model, {"BASE": "mine:1", "RUNTIME": "r:2"}) == ["mine:1", "r:2"]


def test_quoted_arg_defaults_resolve_without_their_quotes():
    model = parse_text('ARG BASE="python:3.11"\nFROM ${BASE}\n')
    assert model.stages[0].base == "python:3.11"
    assert dockerfile_steps.base_images(model) == ["python:3.11"]


def test_sample_phase3_bases_are_digest_references():
    steps = dockerfile_steps.read(sample.variant("phase3").dockerfile)
    args = {"BUILD_BASE": "reg/b", "BUILD_BASE_DIGEST": "sha256:aa", "RUNTIME_BASE": "reg/r",
            "RUNTIME_BASE_DIGEST": "sha256:bb"}
    assert dockerfile_steps.base_images(steps, args) == ["reg/b@sha256:aa", "reg/r@sha256:bb"]


def test_text_the_parser_rejects_gives_no_model_and_no_bases_rather_than_an_error(tmp_path):
    for text in ("# only a comment\n", "FROM a\nRUN <<EOF\nnever closed\n"):
        (tmp_path / "Dockerfile").write_text(text)
        assert dockerfile_steps.read(tmp_path / "Dockerfile") is None
    assert dockerfile_steps.base_images(None) == []
    assert dockerfile_steps.stage_for(None, "builder") is None
