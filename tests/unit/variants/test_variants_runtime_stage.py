"""drop_build_tools and dedupe_copy: what the runtime stage keeps, and what it stops duplicating."""

import pytest

from variant_cases import dedent
from helpers.variants import dedupe_copy, drop_build_tools

DROP = [
    ("compilers out, -dev replaced by its library",
     """
     FROM python AS builder
     RUN pip install -r requirements.txt
     FROM python AS runtime
     RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev curl && rm -rf /var/lib/apt/lists/*
     COPY --from=builder /opt/venv /opt/venv
     """,
     """

     FROM python AS builder
     RUN pip install -r requirements.txt

     FROM python AS runtime
     RUN apt-get update \\
      && apt-get install -y --no-install-recommends libpq5 curl \\
      && rm -rf /var/lib/apt/lists/*
     COPY --from=builder /opt/venv /opt/venv
     """),
    ("nothing left to install: the RUN goes",
     """
     FROM python AS builder
     FROM python AS runtime
     RUN apt-get update && apt-get install -y build-essential python3-dev && rm -rf /var/lib/apt/lists/*
     CMD ["python"]
     """,
     """

     FROM python AS builder

     FROM python AS runtime
     CMD ["python"]
     """),
    ("single stage", """
     FROM python
     RUN apt-get install -y gcc
     """, "SKIP: single stage: the build itself needs its tools (multistage did not apply)"),
    ("final stage compiles", """
     FROM python AS a
     FROM python
     RUN apt-get install -y gcc && pip install psycopg2
     """, "SKIP: the final stage installs Python packages itself, which may need the compilers"),
]

DEDUPE = [
    ("a COPY re-copied by COPY . . with nothing in between",
     """
     FROM python
     WORKDIR /app
     COPY app.py ./
     COPY . .
     """,
     """

     FROM python
     WORKDIR /app
     COPY . .
     """),
    ("a RUN in between reads the first copy: kept",
     """
     FROM python
     COPY src/ ./src/
     RUN pip install ./src
     COPY . .
     """, "SKIP: no COPY duplicates another"),
    ("runtime with /opt/pkg: COPY . . without the package source and manifests",
     """
     FROM python AS builder
     COPY pyproject.toml ./
     COPY src/demo ./src/demo
     RUN pip install --no-deps --target /opt/pkg .
     FROM python AS runtime
     COPY --from=builder /opt/pkg /opt/pkg
     COPY . .
     CMD ["python", "src/tools/run.py"]
     """,
     """

     FROM python AS builder
     COPY pyproject.toml ./
     COPY src/demo ./src/demo
     RUN pip install --no-deps --target /opt/pkg .

     FROM python AS runtime
     COPY --from=builder /opt/pkg /opt/pkg
     COPY Dockerfile app.py main.py ./
     COPY configs ./configs
     COPY src/tools ./src/tools
     CMD ["python", "src/tools/run.py"]
     """),
]
FILES = {"app.py": "", "pyproject.toml": "", "README.md": "", "main.py": "", "configs/a.yaml": "",
         "src/demo/__init__.py": "", "src/tools/run.py": ""}


@pytest.mark.parametrize("title, before, after", DROP, ids=[c[0] for c in DROP])
def test_drop_build_tools(run_transform, title, before, after):
    assert run_transform(drop_build_tools, before) == dedent(after)


@pytest.mark.parametrize("title, before, after", DEDUPE, ids=[c[0] for c in DEDUPE])
def test_dedupe_copy(run_transform, title, before, after):
    assert run_transform(dedupe_copy, before, FILES) == dedent(after)
