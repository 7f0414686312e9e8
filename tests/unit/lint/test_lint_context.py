"""The build context as BuildKit sends it: .dockerignore semantics and byte totals."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import helpers
from helpers.builds.context import (
    ContextError,
    context_files,
    is_ignored,
    parse_ignore,
    scan_context,
)
from helpers.lint import lint_dockerfile

# (patterns, path, ignored?) following moby/patternmatcher
MATCHES = [
    ("tests", "tests/unit/a.py", True),  # a directory pattern covers everything below
    ("tests/", "tests/a.py", True),  # cleaned: trailing slash dropped
    ("/tests", "tests/a.py", True),  # cleaned: leading slash dropped
    ("tests", "src/tests/a.py", False),  # anchored at the context root
    ("*.md", "README.md", True),
    ("*.md", "docs/a.md", False),  # * does not cross /
    ("**/*.md", "docs/deep/a.md", True),
    ("**/*.md", "a.md", True),  # ** matches zero directories
    ("**", "anything/at/all", True),
    ("src/**/test_*.py", "src/a/b/test_x.py", True),
    ("src/**/test_*.py", "src/test_x.py", True),
    ("?.txt", "a.txt", True),
    ("?.txt", "ab.txt", False),
    ("[ab].txt", "b.txt", True),
    ("[!ab].txt", "c.txt", True),
    ("[!ab].txt", "a.txt", False),
    ("*.md\n!README.md", "README.md", False),  # exception re-includes
    ("*.md\n!README.md", "CHANGES.md", True),
    ("*.md\n!README.md\nREADME.md", "README.md", True),  # last match wins
    ("docs\n!docs/keep.md", "docs/keep.md", False),
    ("# comment\n\n  .git  ", ".git/HEAD", True),
    ("a+b(c)", "a+b(c)", True),  # regex metacharacters are literal
    ("a.b", "axb", False),
    ("\\*.txt", "*.txt", True),
]


@pytest.mark.parametrize("patterns,path,ignored", MATCHES, ids=[f"{m[0]!r}-{m[1]}" for m in MATCHES])
def test_dockerignore_matching(patterns, path, ignored):
    assert is_ignored(path, parse_ignore(patterns)) is ignored


def _tree(root, files):
    for rel, size in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)


def test_context_files_and_totals(tmp_path):
    _tree(tmp_path, {"app.py": 10, "tests/t.py": 20, ".git/HEAD": 30, "README.md": 5, "docs/a.md": 7})
    (tmp_path / ".dockerignore").write_text(".git\ntests\n*.md\n!README.md\n")
    scan = scan_context(tmp_path)
    assert sorted(context_files(tmp_path)) == [(".dockerignore", 27), ("README.md", 5), ("app.py", 10),
                                               ("docs/a.md", 7)]
    assert scan.total_bytes == 10 + 20 + 30 + 5 + 7 + 27
    assert scan.sent_bytes == 10 + 5 + 7 + 27


def test_per_dockerfile_ignore_file_wins_over_the_contexts(tmp_path):
    _tree(tmp_path, {"app.py": 1, "big.bin": 100})
    (tmp_path / ".dockerignore").write_text("app.py\n")
    dockerfile = tmp_path / "ci" / "Dockerfile.opt"
    dockerfile.parent.mkdir()
    dockerfile.write_text("FROM a:1\n")
    (tmp_path / "ci" / "Dockerfile.opt.dockerignore").write_text("big.bin\nci\n")
    scan = scan_context(tmp_path, dockerfile)
    assert scan.ignore_file.name == "Dockerfile.opt.dockerignore"
    assert [f.relpath for f in scan.sent] == [".dockerignore", "app.py"]
    assert scan_context(tmp_path).ignore_file.name == ".dockerignore"


def test_sample_context_with_phase_ignore_file_sends_no_junk():
    from helpers.paths import REFERENCE_VARIANTS, SAMPLE_CONTEXT

    sent = dict(context_files(SAMPLE_CONTEXT, REFERENCE_VARIANTS / "Dockerfile.phase1"))
    assert "pyproject.toml" in sent and "README.md" in sent
    assert not [p for p in sent if p.startswith(("tests/", "docs/", "OUTPUTS/", "ARCHIVE/", "models/"))]


def test_missing_context_dir_is_a_clear_error(tmp_path):
    with pytest.raises(ContextError, match="not a directory"):
        scan_context(tmp_path / "nope")
    (tmp_path / "Dockerfile").write_text("FROM a:1\n")
    with pytest.raises(ContextError, match="nope is not a directory"):
        lint_dockerfile(tmp_path / "Dockerfile", context=tmp_path / "nope", hadolint=False)


def test_unreadable_ignore_file_is_a_finding_naming_it(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM a:1\n")
    (tmp_path / ".dockerignore").mkdir()  # present but unreadable as a file, even for root
    result = lint_dockerfile(tmp_path / "Dockerfile", hadolint=False)
    [finding] = [f for f in result.findings if f.code == "DO004"]
    assert ".dockerignore" in finding.message and finding.severity == "error"


# Root reads mode-000 files through two capabilities (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), and the
# documented set-up and CI run as root: the lint below runs in a child process whose capability bounding
# set lacks both (prctl PR_CAPBSET_DROP before exec), so for it, as for any other user, mode 000 means
# "Permission denied". Its interpreter and the files it reads belong to root, so it still reaches them.
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2
LINT_CODES = ("import json, sys; from helpers.lint import lint_dockerfile; "
              "r = lint_dockerfile(sys.argv[1], hadolint=False); "
              "print(json.dumps([[f.code, f.message] for f in r.findings]))")


def _lint_without_root_read_rights(dockerfile) -> list[list[str]]:
    libc = ctypes.CDLL(None, use_errno=True)

    def drop_read_override():  # runs in the child between fork and exec
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:  # needs CAP_SETPCAP, which root has
                os.write(2, f"prctl(PR_CAPBSET_DROP, {cap}) failed: errno {ctypes.get_errno()}\n".encode())
                os._exit(70)

    env = {**os.environ, "PYTHONPATH": str(Path(helpers.__file__).resolve().parent.parent)}
    proc = subprocess.run([sys.executable, "-c", LINT_CODES, str(dockerfile)], capture_output=True, text=True,
                          env=env, preexec_fn=drop_read_override if os.geteuid() == 0 else None, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_permission_denied_ignore_file_is_a_finding(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM a:1\n")
    ignore = tmp_path / ".dockerignore"
    ignore.write_text(".git\n")
    assert "DO004" not in {code for code, _ in _lint_without_root_read_rights(tmp_path / "Dockerfile")}
    ignore.chmod(0)
    try:
        findings = _lint_without_root_read_rights(tmp_path / "Dockerfile")
    finally:
        ignore.chmod(0o644)
    [message] = [message for code, message in findings if code == "DO004"]
    assert ".dockerignore" in message and "Permission denied" in message
