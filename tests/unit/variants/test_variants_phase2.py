"""Phase 2 transforms: cache mounts, non-root user, pins from the original image, HEALTHCHECK."""

import pytest

from variant_cases import dedent
from helpers.variants import cache_mounts, healthcheck, non_root, pin_deps

CACHE = [
    ("apt and pip mounted; the flags they replace dropped",
     """
     FROM python
     ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
     RUN apt-get update && apt-get install -y --no-install-recommends gcc && apt-get clean && rm -rf /var/lib/apt/lists/*
     RUN pip install --no-cache-dir -r requirements.txt
     """,
     """

     FROM python
     ENV PYTHONUNBUFFERED=1
     RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
         --mount=type=cache,target=/var/lib/apt,sharing=locked \\
         rm -f /etc/apt/apt.conf.d/docker-clean \\
      && apt-get update \\
      && apt-get install -y --no-install-recommends gcc
     RUN --mount=type=cache,target=/root/.cache/pip \\
         pip install -r requirements.txt
     """),
    ("uv gets its own cache and copy link mode",
     """
     FROM python
     RUN uv sync --frozen --no-cache
     """,
     """

     FROM python
     ENV UV_LINK_MODE=copy
     RUN --mount=type=cache,target=/root/.cache/uv \\
         uv sync --frozen
     """),
    ("not root", """
     FROM python
     USER app
     RUN pip install flask
     """, "SKIP: no apt, pip or uv step runs as root to mount a cache for"),
]

NON_ROOT = [
    ("user added first, USER before the trailing CMD",
     """
     FROM python
     WORKDIR /app
     COPY . .
     EXPOSE 8000
     CMD ["python", "app.py"]
     """,
     """

     FROM python
     RUN useradd --create-home --uid 1000 appuser
     WORKDIR /app
     COPY . .
     USER appuser
     EXPOSE 8000
     CMD ["python", "app.py"]
     """),
    ("volumes and created directories are owned by the user",
     """
     FROM python
     WORKDIR /app
     RUN mkdir -p data
     VOLUME /srv/uploads
     CMD ["python", "app.py"]
     """,
     """

     FROM python
     RUN useradd --create-home --uid 1000 appuser
     WORKDIR /app
     RUN mkdir -p data
     VOLUME /srv/uploads
     RUN mkdir -p /app/data /srv/uploads \\
      && chown appuser:appuser /app/data /srv/uploads
     USER appuser
     CMD ["python", "app.py"]
     """),
    ("already unprivileged", """
     FROM python
     USER 1000
     """, "SKIP: already runs as 1000"),
]

HEALTH = [
    ("project health module", {"src/demo/__init__.py": "", "src/demo/health.py": "if __name__ == '__main__':\n  pass\n"},
     None, '["python", "-m", "demo.health"]'),
    ("exposed port", {}, None,
     '["python", "-c", "import socket; socket.create_connection((\'localhost\', 8000), timeout=3)"]'),
    ("given command", {}, "curl -f http://localhost:8000/health", '["curl", "-f", "http://localhost:8000/health"]'),
]


@pytest.mark.parametrize("title, before, after", CACHE, ids=[c[0] for c in CACHE])
def test_cache_mounts(run_transform, title, before, after):
    assert run_transform(cache_mounts, before) == dedent(after)


@pytest.mark.parametrize("title, before, after", NON_ROOT, ids=[c[0] for c in NON_ROOT])
def test_non_root(run_transform, title, before, after):
    assert run_transform(non_root, before) == dedent(after)


@pytest.mark.parametrize("title, files, given, command", HEALTH, ids=[c[0] for c in HEALTH])
def test_healthcheck_fits_the_app(run_transform, title, files, given, command):
    out = run_transform(healthcheck, 'FROM python\nEXPOSE 8000\nCMD ["python", "app.py"]\n', files,
                        healthcheck=given)
    assert out.splitlines()[-2] == f"HEALTHCHECK {healthcheck.OPTIONS} CMD {command}"
    assert out.splitlines()[-1] == 'CMD ["python", "app.py"]'


def test_healthcheck_fallback_says_it_is_weak(tmp_path):
    from helpers.variants.doc import Doc
    from helpers.variants.transform import Project

    (tmp_path / "Dockerfile").write_text("FROM python\n")
    command, why = healthcheck.choose(Doc.from_text("FROM python\n"), Project(tmp_path, tmp_path / "Dockerfile"))
    assert command == ["sh", "-c", "kill -0 1"] and "process-alive only" in why


FREEZE = ["numpy==2.1.0", "demo @ file:///app", "-e git+https://x/y#egg=z", "Demo==1.0", "pip==24.0", "",
          "# comment"]


def test_pin_deps_constrains_every_pip_install_from_the_original_freeze(run_transform):
    out = run_transform(pin_deps, """
        FROM python
        RUN pip install -U pip && pip install -r requirements.txt
        """, {"pyproject.toml": '[project]\nname = "demo"\n'}, freeze=FREEZE)
    assert out == dedent("""

        FROM python
        COPY constraints.txt /tmp/dockopt-constraints.txt
        RUN pip install -c /tmp/dockopt-constraints.txt -U pip \\
         && pip install -c /tmp/dockopt-constraints.txt -r requirements.txt
        """)


def test_pin_deps_file_leaves_out_the_project_and_local_installs(tmp_path):
    assert pin_deps.constraints(FREEZE, "demo") == ["numpy==2.1.0", "pip==24.0"]


@pytest.mark.parametrize("dockerfile, freeze, reason", [
    ("FROM python\nRUN pip install flask\n", None, "needs the original image's `pip freeze --all`"),
    ("FROM python\nRUN uv sync --frozen\n", ["a==1"], "installs come from uv's lock file"),
])
def test_pin_deps_skips(run_transform, dockerfile, freeze, reason):
    assert run_transform(pin_deps, dockerfile, freeze=freeze).startswith(f"SKIP: {reason}")


def test_pin_deps_leaves_globs_unquoted(run_transform):
    """Regression: re-quoting the command turned /wheels/* into a literal file name."""
    out = run_transform(pin_deps, "FROM python\nRUN pip install --no-cache-dir /wheels/* && rm -rf /wheels\n",
                        freeze=["django==5.0.6"])
    assert "pip install -c /tmp/dockopt-constraints.txt --no-cache-dir /wheels/* \\\n && rm -rf /wheels" in out
