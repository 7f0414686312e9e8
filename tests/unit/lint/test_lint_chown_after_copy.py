"""DO505's message: the duplicated bytes when the context says what the COPY sent, else the path."""

from __future__ import annotations

from conftest import write_context
from helpers.lint import lint_dockerfile


def messages(tmp_path, dockerfile, files):
    result = lint_dockerfile(write_context(tmp_path / "ctx", dockerfile, files), hadolint=False)
    return [f.message for f in result.findings if f.code == "DO505"]


def test_names_the_bytes_the_copy_sent(tmp_path):
    files = {"app.py": 3 << 20, "static/big.js": 2 << 20, "notes.md": 1 << 20, ".dockerignore": "*.md\n"}
    found = messages(tmp_path, "FROM a:1\nWORKDIR /app\nCOPY . .\nRUN chown -R app:app /app\n", files)
    assert found == ["chown -R after COPY stores the files twice: chown -R app:app /app: the 5.0 MB that COPY "
                     "line(s) 3 sent into /app are stored twice"]


def test_names_the_path_when_the_size_is_unknown(tmp_path):
    found = messages(tmp_path, "FROM a:1 AS b\nFROM a:1\nCOPY --from=b /opt/venv /opt/venv\n"
                     "RUN chown -R 1000 /opt/venv\n", {".dockerignore": ".git\n"})
    assert found == ["chown -R after COPY stores the files twice: chown -R 1000 /opt/venv: /opt/venv, filled by "
                     "COPY line(s) 3, is stored twice"]
