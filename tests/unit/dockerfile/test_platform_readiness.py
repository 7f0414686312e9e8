import pytest

from helpers.dockerfile import platform_readiness as pr


@pytest.mark.parametrize("text, lines", [
    ("FROM debian\nRUN curl -fsSL https://example.org/tool-linux-x86_64.tar.gz | tar xz\n", [2]),
    ("FROM debian\nADD https://example.org/bin/amd64/tool /usr/local/bin/tool\n", [2]),
    ("FROM --platform=linux/amd64 debian\nRUN true\n", [1]),
    ("FROM debian\nRUN pip install https://example.org/pkg-1.0-cp311-manylinux_2_17_x86_64.whl\n", [2]),
    ("FROM debian\nRUN apt-get update \\\n && apt-get install -y curl\n", []),
    ("FROM debian\nRUN curl -fsSL https://example.org/tool.tar.gz | tar xz\n", []),  # no architecture named
    ("FROM debian\nRUN echo building for amd64 and arm64\n", []),  # a word, not a fetched file
    ("FROM --platform=$BUILDPLATFORM debian\nRUN true\n", []),
])
def test_architecture_specific_fetches(text, lines):
    assert [line for line, _ in pr.arch_specific_lines(text)] == lines


def test_bases_skip_stages_and_scratch_and_substitute_args():
    text = "ARG BASE=python:3.11-slim\nFROM ${BASE} AS build\nFROM build\nFROM scratch\nFROM debian:bookworm\n"
    assert pr.bases(text) == ["python:3.11-slim", "debian:bookworm"]
    assert pr.bases(text, {"BASE": "python:3.12-slim"}) == ["python:3.12-slim", "debian:bookworm"]


def test_verdicts(tmp_path):
    ours = tmp_path / "ours"
    ours.write_text("FROM dockopt/python:3.11-bookworm\nRUN pip install flask\n")
    verdict = pr.judge_arm64(ours, exists=lambda tag: tag == "dockopt/python:3.11-bookworm-arm64")
    assert verdict.ready is True and "is here" in verdict.summary()
    theirs = tmp_path / "theirs"
    theirs.write_text("FROM python:3.11-slim\n")
    assert pr.judge_arm64(theirs, exists=lambda tag: False).ready is None  # no registry to ask: not a guess
    bad = tmp_path / "bad"
    bad.write_text("FROM dockopt/python:3.11-bookworm\nRUN wget https://x.org/node-v20-linux-x64.tar.xz\n")
    verdict = pr.judge_arm64(bad, exists=lambda tag: False)
    assert verdict.ready is False and "line 2" in verdict.summary()
