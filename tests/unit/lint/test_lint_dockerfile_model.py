"""The Dockerfile model and how bad input is reported: never a traceback, never a hang."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.dockerfile.arguments import substitute
from helpers.dockerfile.model import DockerfileError, parse_dockerfile, parse_text
from helpers.errors import DockoptError
from helpers.lint import lint_dockerfile


def test_stages_lineage_and_arg_substitution():
    model = parse_text("ARG BASE=python:3.11\nARG D\nFROM ${BASE} AS builder\nRUN make\n"
                       "FROM builder AS test\nFROM ${BASE}@${D} AS runtime\nCOPY --from=builder /a /a\n")
    assert [(s.name, s.base, s.parent, s.from_line) for s in model.stages] == [
        ("builder", "python:3.11", None, 3), ("test", "builder", 0, 5), ("runtime", "python:3.11@${D}", None, 6)]
    assert [s.name for s in model.lineage(model.stages[1])] == ["test", "builder"]
    assert model.final_lineage() == [model.stages[2]]
    copy = model.stages[2].instructions[0]
    assert copy.flag("from") == "builder" and not copy.is_context_copy


def test_build_args_override_arg_defaults():
    model = parse_text("ARG BASE=python:3.11\nFROM $BASE\n", build_args={"BASE": "debian:12"})
    assert model.stages[0].base == "debian:12"


@pytest.mark.parametrize("text,expected", [
    ("${A:-x}", "x"), ("${A:+y}", ""), ("${B:-x}", "b"), ("${B:+y}", "y"), ("$B/$C", "b/$C"), ("${C}", "${C}"),
])
def test_substitute(text, expected):
    assert substitute(text, {"B": "b", "A": ""}) == expected


def test_run_flags_mounts_and_line_range():
    model = parse_text("FROM a:1\nRUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \\\n"
                       "    --mount=type=secret,id=tok \\\n    pip install x\n")
    run = model.stages[0].instructions[0]
    assert (run.start_line, run.end_line) == (2, 4)
    assert run.cache_mount_targets() == ["/root/.cache/pip"]
    assert [m["type"] for m in run.mounts()] == ["cache", "secret"]


@pytest.mark.parametrize("content,match", [
    (b"", "no instructions"),
    (b"# only a comment\n\n", "no instructions"),
    (b"FROM a\n\x00\x01\x02binary", r":2: not a text file"),
    (b"FROM a\nRUN \xff\xfe\n", r":2: not UTF-8"),
    (b"FROM a\nRUN " + b"x" * 70000 + b"\n", r":2: line is 70004 bytes"),
    (b"FROM a\nRUN <<EOF\necho hi\n", r":2: BuildKit's parser rejects this file: unterminated heredoc"),
])
def test_bad_files_raise_a_clear_error_with_file_and_line(tmp_path, content, match):
    path = tmp_path / "Dockerfile"
    path.write_bytes(content)
    with pytest.raises(DockerfileError, match=match) as info:
        lint_dockerfile(path, hadolint=False)
    assert str(path) in info.value.message


def test_missing_file_and_directory_are_clear_errors(tmp_path):
    with pytest.raises(DockerfileError, match="cannot read the Dockerfile"):
        parse_dockerfile(tmp_path / "nope")
    with pytest.raises(DockerfileError, match="cannot read"):
        lint_dockerfile(tmp_path, hadolint=False)  # a directory without a Dockerfile in it


def test_unknown_instruction_is_a_finding_with_its_line(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM a:1\nRUN x\nCOPPY a b\n")
    result = lint_dockerfile(tmp_path / "Dockerfile", hadolint=False)
    assert [(f.line, f.code) for f in result.findings if f.severity == "error"] == [(3, "DO001")]


@pytest.mark.parametrize("text", ["\\", "FROM a:1\n\\\n"])  # regression: found by the property test
def test_a_lone_continuation_is_a_finding_not_a_crash(tmp_path, text):
    (tmp_path / "Dockerfile").write_text(text)
    try:
        result = lint_dockerfile(tmp_path / "Dockerfile", hadolint=False)
    except DockerfileError as exc:
        assert "Dockerfile" in exc.message
        return
    assert "DO001" in result.codes() and "DO000" not in result.codes()


def test_ten_thousand_line_dockerfile_is_linted_quickly(tmp_path):
    lines = ["FROM a:1"] + [f"RUN echo {n}" if n % 3 else f"COPY src/d{n} /d{n}" for n in range(10_000)]
    (tmp_path / "Dockerfile").write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    result = lint_dockerfile(tmp_path / "Dockerfile", hadolint=False)
    assert time.perf_counter() - start < 10
    assert len([f for f in result.findings if f.code == "DO603"]) > 3000


INSTRUCTION_WORDS = ["FROM", "RUN", "COPY", "ADD", "ARG", "ENV", "USER", "WORKDIR", "CMD", "HEALTHCHECK",
                     "ONBUILD", "FROMX", "AS", "--from=b", "--mount=type=cache,target=/x", "${A}", "$B", "@",
                     "apt-get", "install", "-y", "pip", "&&", "\\", "<<EOF", "EOF", "#", "# dockopt ignore=DO301",
                     "# syntax=x", ".", "src/", "'", '"', "[", "]", "\t", "=", ":", "scratch", "root"]
line = st.lists(st.one_of(st.sampled_from(INSTRUCTION_WORDS), st.text(max_size=6)), max_size=8).map(" ".join)
dockerfile_text = st.one_of(
    st.lists(line, max_size=25).map("\n".join),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=dockerfile_text, raw=st.binary(max_size=64))
def test_any_input_gives_findings_or_a_dockopt_error(tmp_path_factory, text, raw):
    """Generated Dockerfiles: the only outcomes are a LintResult or a DockoptError with the file name."""
    root = tmp_path_factory.mktemp("fuzz")
    path = root / "Dockerfile"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape") + raw)
    (root / ".dockerignore").write_bytes(raw)
    try:
        result = lint_dockerfile(path, hadolint=False)
    except DockoptError as exc:
        assert str(path) in exc.message
        return
    assert "DO000" not in result.codes(), [f.message for f in result.findings]
    assert all(f.line is None or f.line >= 1 for f in result.findings)


def test_text_the_parser_cannot_return_names_its_line(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM debian:bookworm\nRUN true\nHEALTHCHECK \u01a0\n")
    with pytest.raises(DockerfileError, match=r"Dockerfile:3: BuildKit's parser cannot read"):
        parse_dockerfile(path)
