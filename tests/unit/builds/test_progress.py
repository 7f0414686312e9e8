"""The plain-progress parser over real recorded builds of the sample (tests/fixtures/buildkit)."""

from pathlib import Path

import pytest

from helpers.builds import progress
from helpers import sample

FIXTURES = Path(__file__).parents[2] / "fixtures" / "buildkit"
ORIGINAL = sample.variant("original").dockerfile
PHASE1 = sample.variant("phase1").dockerfile


def load(name: str, dockerfile: Path | None = None) -> list[progress.Step]:
    return progress.parse_build((FIXTURES / name).read_text(), dockerfile)


def by_keyword(steps, keyword):
    return [s for s in steps if s.keyword == keyword]


def pip_install_step(steps):
    return next(s for s in steps if s.kind == "step" and "pip install" in (s.instruction or "")
                and "." in s.instruction.split()[-1])


def test_original_cold_runs_every_step_and_times_it():
    steps = load("original-cold.log", ORIGINAL)
    dockerfile_steps = [s for s in steps if s.kind == "step"]
    assert [s.index for s in sorted(dockerfile_steps, key=lambda s: s.index)] == list(range(1, 9))
    assert all(s.total == 8 for s in dockerfile_steps)
    apt = next(s for s in steps if (s.instruction or "").startswith("RUN apt-get update"))
    assert apt.ran and apt.seconds > 1 and apt.output_lines > 10
    assert apt.line == 10  # RUN apt-get ... in dockerfiles/snsw/Dockerfile


def test_cached_lines_in_any_order_are_all_cached_in_a_noop_rebuild():
    steps = load("original-noop.log", ORIGINAL)
    assert progress.ran(steps) == []
    cached = [s for s in steps if s.cached]
    assert {s.index for s in cached} == set(range(2, 9))
    # the fixture shows what it is named for: CACHED vertices arrive out of step order
    log = (FIXTURES / "original-noop.log").read_text()
    order = [int(line.split()[0][1:]) for line in log.splitlines() if line.endswith(" CACHED")]
    assert order != sorted(order)


def test_original_code_change_reruns_the_dependency_install():
    steps = load("original-code-change.log", ORIGINAL)
    ran = progress.ran(steps)
    assert pip_install_step(steps) in ran
    assert {s.keyword for s in ran} == {"COPY", "RUN"}
    apt = next(s for s in steps if (s.instruction or "").startswith("RUN apt-get update"))
    assert apt.cached


def test_internal_and_export_vertices_are_not_dockerfile_steps():
    steps = load("original-cold.log", ORIGINAL)
    kinds = {s.kind for s in steps}
    assert {"internal", "export", "step"} <= kinds
    assert all(s.line is None for s in steps if s.kind != "step")
    context = next(s for s in steps if s.name == "[internal] load build context")
    assert context.seconds is not None


def test_every_original_step_maps_to_its_dockerfile_line():
    steps = load("original-cold.log", ORIGINAL)
    lines = ORIGINAL.read_text().splitlines()
    for step in (s for s in steps if s.kind == "step"):
        assert step.line is not None, step
        assert lines[step.line - 1].split()[0] == step.keyword


@pytest.mark.parametrize("name", ["phase1-cold.log", "phase1-code-change.log"])
def test_multi_stage_steps_carry_their_stage_and_line(name):
    steps = load(name, PHASE1)
    lines = PHASE1.read_text().splitlines()
    stages = {s.stage for s in steps if s.kind == "step"}
    assert stages == {"builder", "runtime"}
    for step in (s for s in steps if s.kind == "step"):
        assert step.line is not None and lines[step.line - 1].split()[0] == step.keyword


def test_phase1_code_change_does_not_rerun_the_dependency_install():
    steps = load("phase1-code-change.log", PHASE1)
    ran = progress.ran(steps)
    assert all("pip install" not in (s.instruction or "") for s in ran)
    assert [s.instruction for s in ran] == ["COPY src/kaggle ./src/kaggle"]


def test_dependency_change_reruns_the_install_in_phase2():
    steps = load("phase2-dependency-change.log", sample.variant("phase2").dockerfile)
    ran = progress.ran(steps)
    assert any("pip install -c constraints.txt -r /tmp/deps.txt" in s.instruction for s in ran)


def test_failed_build_names_the_failing_step_and_its_error():
    log = (FIXTURES / "failed-build.log").read_text()
    steps = progress.parse(log)
    failed = progress.first_error(steps)
    assert failed is not None and failed.keyword == "RUN"
    assert "exit code: 3" in failed.error
    assert failed.index == 4


def test_seconds_sum_only_done_steps():
    steps = progress.parse("#1 [1/2] FROM x\n#1 CACHED\n\n#2 [2/2] RUN a\n#2 0.1 out\n#2 DONE 1.5s\n"
                           "#3 exporting to image\n#3 DONE 0.5s\n")
    assert progress.total_seconds(steps) == 2.0
    assert [s.vertex for s in progress.ran(steps)] == [2]
    assert steps[1].output_lines == 1


def test_repeated_vertex_name_lines_do_not_make_new_records():
    log = "#5 [2/3] RUN a\n#5 0.2 x\n#6 [3/3] RUN b\n#6 0.1 y\n#5 [2/3] RUN a\n#5 DONE 2.0s\n#6 DONE 1.0s\n"
    steps = progress.parse(log)
    assert [(s.vertex, s.seconds) for s in steps] == [(5, 2.0), (6, 1.0)]


def test_padded_step_numbers_of_long_stages_parse():
    assert progress.classify("[builder  1/10] FROM docker.io/x")["index"] == 1
    assert progress.classify("[ 3/12] RUN x")["index"] == 3
    assert progress.classify("[stage-1 2/3] COPY a b")["stage"] == "stage-1"


def test_a_dockerfile_line_printed_by_buildkit_wins():
    log = "#4 [2/2] RUN false\n#4 ERROR: executor failed running [/bin/sh -c false]: exit code: 1\n" \
          "Dockerfile.x:7\n"
    (step,) = progress.parse(log)
    assert step.line == 7
