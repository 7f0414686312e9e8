"""multistage: builder installs into a venv (and the package into /opt/pkg); runtime gets results."""

import pytest

from variant_cases import dedent
from helpers.variants import multistage

CASES = [
    ("the project's own virtualenv, activated by its entrypoint (moved as it is, same path)",
     """
     FROM python:3.11
     WORKDIR /home/shop
     COPY requirements.txt requirements.txt
     RUN python -m venv venv
     RUN venv/bin/pip install -r requirements.txt
     COPY shop shop
     COPY boot.sh ./
     EXPOSE 5000
     ENTRYPOINT ["./boot.sh"]
     """,
     """
     FROM python:3.11 AS builder
     WORKDIR /home/shop
     COPY requirements.txt requirements.txt
     RUN python -m venv venv
     RUN venv/bin/pip install -r requirements.txt

     FROM python:3.11 AS runtime
     COPY --from=builder /home/shop/venv /home/shop/venv
     WORKDIR /home/shop
     COPY shop shop
     COPY boot.sh ./
     EXPOSE 5000
     ENTRYPOINT ["./boot.sh"]
     """),
    ("requirements project",
     """
     ARG BASE_IMAGE=python:3.11
     FROM ${BASE_IMAGE}
     ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
     RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*
     WORKDIR /app
     COPY requirements.txt ./
     RUN pip install -r requirements.txt
     COPY . .
     EXPOSE 8000
     CMD ["gunicorn", "app:app"]
     """,
     """
     ARG BASE_IMAGE=python:3.11

     FROM ${BASE_IMAGE} AS builder
     ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
     RUN apt-get update \\
      && apt-get install -y --no-install-recommends gcc libpq-dev \\
      && rm -rf /var/lib/apt/lists/*
     WORKDIR /app
     ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
     RUN python3 -m venv /opt/venv
     COPY requirements.txt ./
     RUN pip install -r requirements.txt \\
      && /opt/venv/bin/python -m pip uninstall -y pip wheel

     FROM ${BASE_IMAGE} AS runtime
     ENV PYTHONUNBUFFERED=1
     ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
     RUN apt-get update \\
      && apt-get install -y --no-install-recommends gcc libpq-dev \\
      && rm -rf /var/lib/apt/lists/*
     COPY --from=builder /opt/venv /opt/venv
     WORKDIR /app
     COPY . .
     EXPOSE 8000
     CMD ["gunicorn", "app:app"]
     """),
    ("package installed --no-deps goes to /opt/pkg; its source stays in the builder",
     """
     FROM python
     WORKDIR /app
     RUN useradd app
     COPY pyproject.toml ./
     RUN pip install -r /tmp/deps.txt
     COPY src/demo ./src/demo
     RUN pip install --no-deps .
     COPY bin ./bin
     CMD ["python", "bin/run.py"]
     """,
     """

     FROM python AS builder
     WORKDIR /app
     RUN useradd app
     ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH
     RUN python3 -m venv /opt/venv
     COPY pyproject.toml ./
     RUN pip install -r /tmp/deps.txt
     COPY src/demo ./src/demo
     RUN pip install --no-deps --target /opt/pkg . \\
      && /opt/venv/bin/python -m pip uninstall -y pip wheel

     FROM python AS runtime
     ENV VIRTUAL_ENV=/opt/venv PATH=/opt/pkg/bin:/opt/venv/bin:$PATH PYTHONPATH=/opt/pkg
     RUN useradd app
     COPY --from=builder /opt/venv /opt/venv
     COPY --from=builder /opt/pkg /opt/pkg
     WORKDIR /app
     COPY bin ./bin
     CMD ["python", "bin/run.py"]
     """),
    ("already multi-stage", """
     FROM python AS build
     RUN pip install x
     FROM python
     COPY --from=build /usr/local /usr/local
     """, "SKIP: already multi-stage: its own builder/runtime split is kept as written"),
    ("curl | sh", """
     FROM python
     RUN curl -sSL https://install.example/get.sh | sh
     RUN pip install -r requirements.txt
     """, "SKIP: `curl -sSL https://install.example/get.sh | sh` pipes a download into a shell: "
          "what it installs, and where, is unknown"),
    ("conda", """
     FROM continuumio/miniconda3
     RUN conda install -y numpy && pip install -r requirements.txt
     """, "SKIP: conda: conda/mamba manage their own environments"),
    ("ONBUILD", """
     FROM python
     ONBUILD COPY . /app
     RUN pip install flask
     """, "SKIP: ONBUILD runs in images built FROM this one; moving it would change them"),
    ("poetry without export", """
     FROM python
     RUN pip install poetry
     COPY . .
     RUN poetry install
     """, "SKIP: `poetry install` without `poetry export`: poetry picks its own virtualenv, "
          "which this transform cannot move reliably"),
    ("pip --user", """
     FROM python
     RUN pip install --user flask
     """, "SKIP: `pip install --user` puts packages outside the virtualenv this transform moves"),
    ("nothing to install", """
     FROM python
     COPY app.py .
     """, "SKIP: no Python dependency install found to move into a builder stage"),
]


@pytest.mark.parametrize("title, before, after", CASES, ids=[c[0] for c in CASES])
def test_multistage(run_transform, title, before, after):
    assert run_transform(multistage, before, {"requirements.txt": "flask\n"}) == dedent(after)


def test_runtime_env_keeps_expansion_and_spaces(run_transform):
    """Regression: values were shell-quoted with '...', which stops Docker expanding $PATH."""
    out = run_transform(multistage, """
        FROM python
        ENV PATH=/opt/tools/bin:$PATH GREETING="hello world" PIP_NO_CACHE_DIR=1
        RUN pip install -r requirements.txt
        """, {"requirements.txt": "six\n"})
    runtime = out.split("AS runtime\n", 1)[1]
    assert runtime.splitlines()[0] == 'ENV PATH=/opt/tools/bin:$PATH GREETING="hello world"'


@pytest.mark.parametrize("install, claims_pip_removed", [
    ("RUN pip install -r requirements.txt", True),
    ("RUN uv sync --frozen", False),
])
def test_outcome_claims_pip_removed_only_when_it_is(tmp_path, install, claims_pip_removed):
    """Regression: a uv build (pip never removed) was described as "pip removed after"."""
    from helpers.variants.doc import Doc
    from helpers.variants.transform import Project

    text = f"FROM python\nWORKDIR /app\nCOPY . .\n{install}\nCMD x\n"
    (tmp_path / "Dockerfile").write_text(text)
    (tmp_path / "requirements.txt").write_text("flask\n")
    detail = multistage.apply(Doc.from_text(text), Project(tmp_path, tmp_path / "Dockerfile"))
    assert ("pip removed after" in detail) is claims_pip_removed
