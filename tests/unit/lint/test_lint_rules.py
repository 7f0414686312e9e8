"""Each rule: snippets it catches (at which lines) and snippets it must not catch.

Table-driven like hadolint's ruleCatches / ruleCatchesNot. Multi-stage cases guard the
places a naive rule misfires: root or apt lists in a builder stage, cache mounts present.
"""

from __future__ import annotations

import pytest

from helpers.lint.registry import RULES

IGNORE = {".dockerignore": ".git\n"}  # keeps DO601 quiet where a case is not about it

# Issue 15 section 2: where real-world Dockerfiles differ from the sample. One case per item, in the
# rule it belongs to; (code, dockerfile, context files, lines) as below.
ISSUE_15_CATCHES = [
    # a dependency install is also make install, pip wheel -r, uv sync, uv pip install, poetry install,
    # conda/mamba install, npm ci
    ("DO201", "FROM a:1\nCOPY . .\nRUN make install\n", None, [2]),
    ("DO201", "FROM a:1\nCOPY . .\nRUN pip wheel -r requirements.txt -w /wheels\n", None, [2]),
    ("DO201", "FROM a:1\nCOPY . .\nRUN uv sync --frozen\n", None, [2]),
    ("DO201", "FROM a:1\nCOPY . .\nRUN uv pip install --system -r requirements.txt\n", None, [2]),
    ("DO201", "FROM a:1\nCOPY . .\nRUN poetry install\n", None, [2]),
    ("DO201", "FROM a:1\nCOPY . .\nRUN conda env create -f environment.yml\n", None, [2]),
    ("DO201", "FROM a:1\nCOPY . /src\nRUN mamba install -y -c conda-forge numpy\n", None, [2]),
    ("DO201", "FROM a:1\nCOPY src ./src\nCOPY package.json package-lock.json ./\nRUN npm ci\n", None, [2]),
    # the deps-only uv sync after the source COPY is the wrong order again
    ("DO201", "FROM a:1\nCOPY . .\nRUN uv sync --no-install-project\nRUN uv sync\n", None, [2]),
    # pip install -U pip setuptools wheel: the installer, reported on its own at info level
    ("DO607", "FROM a:1\nRUN pip install -U pip setuptools wheel\n", None, [2]),
    ("DO607", "FROM a:1\nRUN apt-get update && \\\n    python -m pip install --upgrade pip\n", None, [3]),
    ("DO604", "FROM a:1\nRUN pip install -U pip flask\n", None, [2]),  # flask is the application's
    # pip --no-cache is --no-cache-dir (pip takes unambiguous prefixes), also before the subcommand
    ("DO402", "FROM a:1\nRUN pip install --no-cache flask==3.0.0\n", None, [2]),
    ("DO402", "FROM a:1\nRUN pip --no-cache-dir install flask==3.0.0\n", None, [2]),
    ("DO402", "FROM a:1\nRUN uv pip install --system --no-cache flask==3.0.0\n", None, [2]),
    # a uv cache is not a pip cache
    ("DO501", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/uv pip install flask==3.0.0\n", None, [2]),
    ("DO501", "FROM a:1\nRUN uv pip install --system flask==3.0.0\n", None, [2]),
    ("DO401", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/pip uv pip install --system x==1\n", None, [2]),
    # build tools: git with a compiler still is one
    ("DO101", "FROM a:1\nRUN apt-get install -y --no-install-recommends git gcc\n", None, [2]),
    ("DO102", "FROM a:1\nRUN apt-get install -y --no-install-recommends git g++\n", None, [1]),
    # two COPYs overlap when the same files land at the same place
    ("DO202", "FROM a:1\nWORKDIR /app\nCOPY src /app/src\nCOPY . .\n", None, [4]),
    ("DO202", "FROM a:1\nWORKDIR /app\nCOPY src ./src\nWORKDIR /\nCOPY src/main.py /app/src/\n", None, [5]),
    # one COPY naming the same source twice
    ("DO202", "FROM a:1\nWORKDIR /app\nCOPY requirements.txt requirements.txt ./\n", None, [3]),
    ("DO202", "FROM a:1\nCOPY src src/main.py /app/\n", None, [2]),
    # a finding on a continued instruction points at the offending command's line
    ("DO604", "FROM a:1\nRUN apt-get update && \\\n    apt-get install -y curl && \\\n    pip install flask\n", None, [4]),
    ("DO503", "FROM a:1\nRUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y curl\n", None, [4]),
    ("DO502", "FROM a:1\nRUN set -eux; \\\n    apt-get update; \\\n    apt-get install -y curl\n", None, [3]),
    ("DO101", "FROM a:1\nRUN apt-get update \\\n # the compiler\n && apt-get install -y \\\n      gcc\n", None, [4]),
    ("DO401", "FROM a:1\nRUN echo start \\\n && pip install -U pip \\\n && pip install x==1\n", None, [4]),
    ("DO605", "FROM a:1\nCOPY requirements.txt .\nRUN set -e; \\\n  pip install \\\n    -r requirements.txt\n",
     {"requirements.txt": "numpy>=1\n"}, [4]),
]
ISSUE_15_CATCHES_NOT = [
    # uv sync --no-install-project (or --no-install-workspace) before the source COPY is the right order
    ("DO201", ("FROM a:1\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-project\nCOPY . .\n"
               "RUN uv sync --frozen\n"), None),
    ("DO201", "FROM a:1\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --no-install-workspace\nCOPY . .\nRUN uv sync\n", None),
    ("DO201", "FROM a:1\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install\n", None),
    ("DO201", ("FROM a:1\nCOPY requirements.txt .\nRUN pip wheel -r requirements.txt -w /w\nCOPY . .\n"
               "RUN pip install --no-index -f /w .\n"), None),
    ("DO201", "FROM a:1\nCOPY Makefile requirements.txt ./\nRUN make install\nCOPY . .\n", None),
    ("DO201", "FROM a:1\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app\n", None),
    ("DO201", "FROM a:1\nCOPY . .\nRUN make\n", None),  # building the project is not installing dependencies
    ("DO201", "FROM gcc:14\nCOPY Makefile ./\nCOPY . .\nRUN make && make install\n", None),  # nor installing it
    ("DO201", "FROM a:1\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n", None),  # a pattern of manifests
    ("DO202", "FROM a:1\nCOPY go.* ./\nRUN go mod download\nCOPY . .\n", None),
    ("DO201", "FROM a:1\nCOPY . .\nRUN pip install -U pip setuptools wheel\n", None),
    # the installer upgrade is not an unpinned application dependency
    ("DO604", "FROM a:1\nRUN pip install -U pip setuptools wheel\n", None),
    ("DO604", "FROM a:1\nRUN python -m pip install --upgrade pip && pip install flask==3.0.0\n", None),
    ("DO607", "FROM a:1\nRUN pip install -U pip==24.2 setuptools==72.1.0\n", None),
    ("DO607", "FROM a:1\nRUN pip install -c constraints.txt -U pip\n", None),
    ("DO501", "FROM a:1\nRUN pip install -U pip\n", None),  # the installer's wheel: no application cache
    # pip --no-cache, and uv's own cache flags and mounts
    ("DO501", "FROM a:1\nRUN pip install --no-cache flask==3.0.0\n", None),
    ("DO501", "FROM a:1\nRUN pip --no-cache-dir install flask==3.0.0\n", None),
    ("DO501", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install --system flask==3.0.0\n", None),
    ("DO501", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache pip install flask==3.0.0\n", None),
    ("DO401", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install --system x==1\n", None),
    ("DO402", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install --system x==1\n", None),
    # git alone does not make a build-tools stage
    ("DO101", "FROM a:1\nRUN apt-get install -y --no-install-recommends git ca-certificates\n", None),
    ("DO102", "FROM a:1\nRUN apt-get install -y --no-install-recommends git\n", None),
    # overlapping sources, different destinations: one file used in two places
    ("DO202", "FROM a:1\nCOPY app/config.yaml /etc/app/\nCOPY app /app\n", None),
    ("DO202", "FROM a:1\nCOPY src /build/src\nWORKDIR /srv\nCOPY src ./src\n", None),
    ("DO202", "FROM a:1\nCOPY a.txt b.txt /app/\n", None),
]

CATCHES = [
    # (code, dockerfile, context files, expected lines)
    ("DO001", "FROM a:1\nFROMX b\n", None, [2]),
    ("DO001", "RUN echo hi\nFROM a:1\n", None, [1]),
    ("DO002", "FROM a:1\nRUN <<EOF\necho hi\nEOF\n", None, [2]),
    ("DO003", "# syntax=docker/dockerfile:1.7\nFROM a:1\n", None, [1]),
    ("DO101", "FROM a:1\nRUN apt-get update && apt-get install -y gcc libpq-dev\n", None, [2]),
    ("DO101", "FROM a:1 AS base\nRUN apk add --no-cache build-base\nFROM base\nCMD x\n", None, [2]),
    ("DO102", "FROM a:1\nRUN apt-get install -y --no-install-recommends cmake\n", None, [1]),
    ("DO201", "FROM a:1\nCOPY src/ ./src/\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n", None, [2]),
    ("DO201", "FROM a:1\nCOPY . .\nRUN npm ci\n", None, [2]),
    ("DO202", "FROM a:1\nCOPY src/ ./src/\nCOPY . .\n", None, [3]),
    ("DO202", "FROM a:1\nCOPY app ./\nCOPY app/main.py ./main.py\n", None, [3]),
    ("DO301", "FROM a:1\nCMD x\n", None, [1]),
    ("DO301", "FROM a:1 AS b\nUSER app\nFROM b\nUSER root\n", None, [4]),
    ("DO301", "FROM a:1 AS builder\nUSER 1000\nFROM a:1 AS runtime\nCMD x\n", None, [3]),
    ("DO302", "FROM python:3.11-slim\n", None, [1]),
    ("DO302", "ARG B=python:3.11\nFROM ${B} AS x\nFROM debian:12\n", None, [2, 3]),
    ("DO303", "FROM python\n", None, [1]),
    ("DO303", "FROM registry:5000/team/app:latest\n", None, [1]),
    ("DO303", "ARG B=python\nFROM $B\n", None, [2]),
    ("DO401", "FROM a:1\nRUN pip install flask==3.0.0\n", None, [2]),
    ("DO401", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/pip apt-get update\n", None, [2]),
    ("DO402", "FROM a:1\nRUN pip install --no-cache-dir flask==3.0.0\n", None, [2]),
    ("DO402", "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x==1\n", None, [3]),
    ("DO501", "FROM a:1\nRUN pip install flask==3.0.0\n", None, [2]),
    ("DO501", "FROM a:1 AS base\nRUN python -m pip install x==1\nFROM base\n", None, [2]),
    ("DO502", "FROM a:1\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n", None, [2]),
    ("DO502", "FROM a:1\nRUN apt-get update\n", None, [2]),
    ("DO503", "FROM a:1\nRUN apt-get install -y curl\n", None, [2]),
    ("DO503", "FROM a:1 AS builder\nRUN apt-get install -y gcc\nFROM a:1\n", None, [2]),
    ("DO504", "FROM a:1\nCOPY . .\n", {"models/w.safetensors": 20 << 20, **IGNORE}, [2]),
    ("DO504", "FROM a:1\nCOPY models/ /m/\n", {"models/w.onnx": 20 << 20, **IGNORE}, [2]),
    ("DO505", "FROM a:1\nWORKDIR /app\nCOPY . .\nRUN pip install x && chown -R app:app /app\n", None, [4]),
    ("DO505", "FROM a:1 AS b\nFROM a:1\nCOPY --from=b /opt/venv /opt/venv\nRUN chown --recursive 1000 /opt\n",
     None, [4]),
    ("DO505", "FROM a:1\nWORKDIR /srv\nCOPY src/ app/src/\nRUN chown -hR app app\n", None, [4]),
    ("DO601", "FROM a:1\n", {"tests/t.py": "x"}, [None]),
    ("DO602", "FROM a:1\n", {".dockerignore": "docs\n", "tests/t.py": "x", ".git/HEAD": "ref"}, [None]),
    ("DO602", "FROM a:1\n", {".dockerignore": "*.md\n", "data/big.csv": 11 << 20}, [None]),
    ("DO603", "FROM a:1\nRUN a\nRUN b\nRUN c\n", None, [3, 4]),
    ("DO604", "FROM a:1\nRUN pip install requests flask>=2\n", None, [2]),
    ("DO604", "FROM a:1\nRUN pip install -U pip && pip3 install 'numpy~=1.26'\n", None, [2]),
    ("DO605", "FROM a:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
     {"requirements.txt": "numpy>=1\nscipy==1.11.0\n"}, [3]),
    ("DO605", "FROM a:1\nCOPY . .\nRUN pip install .\n",
     {"pyproject.toml": "[project]\nname='x'\ndependencies=['numpy>=1']\n"}, [3]),
    ("DO605", "FROM a:1\nRUN pip install -c c.txt .\n",
     {"pyproject.toml": "[project]\nname='x'\ndependencies=['numpy>=1','pandas']\n", "c.txt": "numpy==1.26.0\n"}, [2]),
    ("DO606", "FROM a:1\nCMD x\n", None, [1]),
    *ISSUE_15_CATCHES,
    ("DO606", "FROM a:1\nHEALTHCHECK NONE\n", None, [2]),
]

CATCHES_NOT = [
    ("DO001", "ARG X=1\nFROM a:${X}\nRUN x\n", None),
    ("DO002", "FROM a:1\nRUN echo '<<EOF'\n", None),
    ("DO003", "# escape=`\nFROM a:1\n", None),
    # build tools only in a builder stage the final image does not build on
    ("DO101", "FROM a:1 AS builder\nRUN apt-get install -y gcc\nFROM a:1\nCOPY --from=builder /o /o\n", None),
    ("DO101", "FROM a:1\nRUN apt-get install -y gcc && make && apt-get purge -y gcc\n", None),
    ("DO101", "FROM a:1\nRUN apt-get install -y curl ca-certificates\n", None),
    ("DO102", "FROM a:1 AS b\nRUN apt-get install -y gcc\nFROM a:1\n", None),
    ("DO102", "FROM a:1\nRUN apt-get install -y curl\n", None),
    ("DO201", "FROM a:1\nCOPY pyproject.toml README.md ./\nRUN pip install .\nCOPY src ./src\n", None),
    ("DO201", "FROM a:1\nCOPY src/pkg ./src/pkg\nRUN pip install --no-deps .\n", None),
    ("DO201", "FROM a:1\nCOPY --from=b /venv /venv\nRUN pip install x==1\n", None),
    ("DO202", "FROM a:1\nCOPY pyproject.toml ./\nRUN pip install .\nCOPY . .\n", None),
    ("DO202", "FROM a:1\nCOPY src/a ./a\nCOPY src/b ./b\nCOPY srcx ./c\n", None),
    ("DO202", "FROM a:1 AS x\nCOPY src ./src\nFROM a:1\nCOPY src ./src\n", None),
    # a root builder stage is fine: only the final stage's user runs
    ("DO301", "FROM a:1 AS builder\nRUN make\nFROM a:1\nUSER 1000\nCMD x\n", None),
    ("DO301", "FROM a:1 AS b\nUSER app\nFROM b\nCMD x\n", None),
    ("DO302", "FROM python:3.11@sha256:" + "a" * 64 + "\n", None),
    ("DO302", "ARG B=python\nARG D\nFROM ${B}@${D}\n", None),
    ("DO302", "FROM a:1@sha256:" + "b" * 64 + " AS x\nFROM x\nFROM scratch\n", None),
    ("DO303", "FROM localhost:5000/app:1.2\n", None),
    ("DO303", "FROM app@sha256:" + "c" * 64 + "\n", None),
    ("DO303", "ARG B\nFROM $B\n", None),
    ("DO401", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x==1\n", None),
    ("DO401", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/apt --mount=type=cache,target=/var/lib/apt "
              "apt-get update && apt-get install -y --no-install-recommends curl\n", None),
    ("DO401", "FROM a:1\nRUN pip install --no-deps --target /o .\n", None),
    ("DO402", "FROM a:1\nRUN pip install --no-cache-dir --no-deps .\n", None),
    ("DO402", "FROM a:1\nENV PIP_NO_CACHE_DIR=0\nRUN --mount=type=cache,target=/root/.cache/pip pip install x==1\n", None),
    # pip cache in a builder stage never ships
    ("DO501", "FROM a:1 AS builder\nRUN pip install x==1\nFROM a:1\nCOPY --from=builder /v /v\n", None),
    ("DO501", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x==1\n", None),
    ("DO501", "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x==1\n", None),
    # apt lists in a builder stage never ship; cache-mounted lists are not in a layer
    ("DO502", "FROM a:1 AS builder\nRUN apt-get update && apt-get install -y gcc\nFROM a:1\n", None),
    ("DO502", "FROM a:1\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n", None),
    ("DO502", "FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt apt-get update\n", None),
    ("DO503", "FROM a:1\nRUN apt-get install -y --no-install-recommends curl\n", None),
    ("DO503", "FROM a:1\nRUN apt-get update\n", None),
    ("DO504", "FROM a:1\nCOPY . .\n", {"models/w.safetensors": 20 << 20, ".dockerignore": "models/\n"}),
    ("DO504", "FROM a:1\nCOPY src ./src\n", {"models/w.safetensors": 20 << 20, **IGNORE}),
    ("DO504", "FROM a:1 AS b\nCOPY . .\nFROM a:1\nCOPY --from=b /app/x /x\n", {"models/w.pt": 20 << 20, **IGNORE}),
    ("DO504", "FROM a:1\nCOPY . .\n", {"models/tiny.pt": 1000, **IGNORE}),
    ("DO505", "FROM a:1\nCOPY --chown=app:app . /app\nRUN chown app /app\n", None),  # not recursive
    ("DO505", "FROM a:1\nCOPY . /app\nRUN chown -R app /data\n", None),  # another directory
    ("DO505", "FROM a:1\nRUN chown -R app /app\nCOPY . /app\n", None),  # chown before the COPY
    ("DO505", "FROM a:1 AS b\nCOPY . /app\nFROM a:1\nRUN chown -R app /app\n", None),  # COPY in another stage
    ("DO601", "FROM a:1\n", {".dockerignore": ".git\n"}),
    ("DO601", "FROM a:1\n", {"Dockerfile.dockerignore": ".git\n"}),
    ("DO602", "FROM a:1\n", {".dockerignore": "tests\n.git\n", "tests/t.py": "x", ".git/HEAD": "r", "app.py": "x"}),
    ("DO603", "FROM a:1\nRUN a\nCOPY x y\nRUN b\n", None),
    ("DO603", "FROM a:1 AS x\nRUN a\nFROM a:1\nRUN b\n", None),
    ("DO604", "FROM a:1\nRUN pip install requests==2.31.0 'flask===3.0.0' ./wheel.whl .\n", None),
    ("DO604", "FROM a:1\nRUN pip install -c constraints.txt -U pip setuptools\n", None),
    ("DO604", "FROM a:1\nENV PIP_CONSTRAINT=/c.txt\nRUN pip install numpy\n", None),
    ("DO605", "FROM a:1\nCOPY . .\nRUN pip install -c constraints.txt .\n",
     {"pyproject.toml": "[project]\nname='x'\ndependencies=['numpy>=1', 'PyYAML>=6']\n",
      "constraints.txt": "numpy==1.26.0\npyyaml==6.0.1\n"}),
    ("DO605", "FROM a:1\nCOPY . .\nRUN pip install --no-deps .\n",
     {"pyproject.toml": "[project]\nname='x'\ndependencies=['numpy>=1']\n"}),
    ("DO605", "FROM a:1\nRUN pip install -r requirements.txt\n", {"requirements.txt": "numpy==1.26.0\n"}),
    ("DO606", "FROM a:1 AS b\nHEALTHCHECK CMD true\nFROM b\n", None),
    *ISSUE_15_CATCHES_NOT,
]


@pytest.mark.parametrize("code,dockerfile,files,lines", CATCHES, ids=[c[0] for c in CATCHES])
def test_rule_catches(lint, code, dockerfile, files, lines):
    assert [line for line, _ in lint(dockerfile, files, code=code)] == lines


@pytest.mark.parametrize("code,dockerfile,files", CATCHES_NOT, ids=[c[0] for c in CATCHES_NOT])
def test_rule_catches_not(lint, code, dockerfile, files):
    assert lint(dockerfile, files, code=code) == []


def test_every_rule_has_catches_and_catches_not_cases():
    codes = {rule.CODE for rule in RULES} - {"DO004"}  # DO004: see test_lint_context (needs a broken file)
    assert codes <= {c[0] for c in CATCHES}
    assert codes <= {c[0] for c in CATCHES_NOT}
