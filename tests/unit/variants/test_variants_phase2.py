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
    ("pip's --no-cache abbreviation is dropped with the mount, as --no-cache-dir is; pip wheel is mounted too",
     """
     FROM python AS build
     RUN pip wheel --no-cache --wheel-dir /wheels -r requirements.txt
     FROM python
     RUN pip install --no-cache /wheels/* && echo -n done
     """,
     """

     FROM python AS build
     RUN --mount=type=cache,target=/root/.cache/pip \\
         pip wheel --wheel-dir /wheels -r requirements.txt

     FROM python
     RUN --mount=type=cache,target=/root/.cache/pip \\
         pip install /wheels/* \\
      && echo -n done
     """),
    ("uv's -n dropped from uv only, UV_NO_CACHE dropped",
     """
     FROM python
     ENV UV_NO_CACHE=1
     RUN uv pip install -n flask && printf -n x
     """,
     """

     FROM python
     ENV UV_LINK_MODE=copy
     RUN --mount=type=cache,target=/root/.cache/uv \\
         uv pip install flask \\
      && printf -n x
     """),
    ("cache turned off by the stage it is built FROM: no mount there, nothing half done",
     """
     FROM python AS base
     ENV PIP_NO_CACHE_DIR=1
     FROM base
     RUN pip install flask
     """, "SKIP: pip in stage 1: PIP_NO_CACHE_DIR is set by the stage it is built FROM (base), so a mount "
          "there would stay unused"),
    ("not root", """
     FROM python
     USER app
     RUN pip install flask
     """, "SKIP: no apt, pip or uv step runs as root to mount a cache for"),
]

DIFF = "docker diff of the original image run for 5 s with its own ENTRYPOINT/CMD"
APP = """
     FROM python
     WORKDIR /app
     COPY . .
     EXPOSE 8000
     CMD ["python", "app.py"]
     """
# (title, Dockerfile, project.extra, expected Dockerfile)
NON_ROOT = [
    ("no evidence: owns the final WORKDIR and says so", APP, {},
     """

     FROM python
     RUN useradd --create-home --uid 1000 appuser
     WORKDIR /app
     COPY . .
     # Writable by appuser: no evidence of what the app writes (the original image was not started): owns the final WORKDIR /app instead
     RUN mkdir -p /app \\
      && chown appuser:appuser /app
     USER appuser
     EXPOSE 8000
     CMD ["python", "app.py"]
     """),
    ("the original did not start: WORKDIR, with the reason", APP,
     {"start_writes": None, "start_evidence": "the original exited 1 within 5 s"},
     """

     FROM python
     RUN useradd --create-home --uid 1000 appuser
     WORKDIR /app
     COPY . .
     # Writable by appuser: no evidence of what the app writes (the original exited 1 within 5 s): owns the final WORKDIR /app instead
     RUN mkdir -p /app \\
      && chown appuser:appuser /app
     USER appuser
     EXPOSE 8000
     CMD ["python", "app.py"]
     """),
    ("started and wrote nothing: owns nothing, says how it knows", APP,
     {"start_writes": ["/app", "/app/__pycache__", "/app/__pycache__/app.cpython-311.pyc", "/root", "/root/.cache",
                       "/opt", "/opt/fetcher", "/opt/fetcher/pkg", "/opt/fetcher/pkg/__pycache__",
                       "/opt/fetcher/pkg/__pycache__/__main__.cpython-311.pyc"],
      "start_evidence": DIFF},
     """

     FROM python
     RUN useradd --create-home --uid 1000 appuser
     WORKDIR /app
     COPY . .
     USER appuser
     EXPOSE 8000
     CMD ["python", "app.py"]
     """),
    ("log folder and a SQLite file the COPY brings: directories collapsed, the copied file owned too", APP,
     {"start_writes": ["/app", "/app/logs", "/app/logs/app.log", "/app/logs/2024", "/app/logs/2024/x.log",
                       "/app/db.sqlite3", "/var", "/var/cache", "/var/cache/app", "/var/cache/app/k"],
      "start_evidence": DIFF},
     """

     FROM python
     RUN useradd --create-home --uid 1000 appuser
     WORKDIR /app
     COPY . .
     # Writable by appuser: the original wrote into /app, /var/cache/app at start-up (docker diff of the original image run for 5 s with its own ENTRYPOINT/CMD)
     RUN mkdir -p /app /var/cache/app \\
      && chown appuser:appuser /app /var/cache/app \\
      && { [ ! -e /app/db.sqlite3 ] || chown appuser:appuser /app/db.sqlite3; } \\
      && { [ ! -e /app/logs ] || chown appuser:appuser /app/logs; }
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
     """, {"start_writes": ["/app", "/app/data", "/app/data/x.db", "/app/instance", "/app/instance/log.txt"],
           "start_evidence": DIFF},
     """

     FROM python
     RUN useradd --create-home --uid 1000 appuser
     WORKDIR /app
     RUN mkdir -p data
     VOLUME /srv/uploads
     # Writable by appuser: declared /app/data, /srv/uploads (VOLUME / mkdir); the original wrote into /app/data, /app/instance at start-up (docker diff of the original image run for 5 s with its own ENTRYPOINT/CMD)
     RUN mkdir -p /app/data /srv/uploads /app/instance \\
      && chown appuser:appuser /app/data /srv/uploads /app/instance
     USER appuser
     CMD ["python", "app.py"]
     """),
    ("already unprivileged", """
     FROM python
     USER 1000
     """, {}, "SKIP: already runs as 1000"),
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


@pytest.mark.parametrize("dockerfile, says", [
    ("FROM python\nRUN pip install --no-cache flask\n",
     "cache mounts for pip; dropped --no-cache, which would leave the mounts unused"),
    ("FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install --no-cache-dir flask\n",
     "cache mounts for pip; dropped --no-cache-dir, PIP_NO_CACHE_DIR, which would leave the mounts unused"),
    ("FROM python\nRUN pip install flask\n", "cache mounts for pip; no cache-disabling flag to drop"),
])
def test_cache_mounts_header_says_what_it_dropped(tmp_path, dockerfile, says):
    """Regression: the header claimed --no-cache-dir etc. were dropped whether or not they were there."""
    from helpers.variants.doc import Doc
    from helpers.variants.transform import Project

    (tmp_path / "Dockerfile").write_text(dockerfile)
    assert cache_mounts.apply(Doc.from_text(dockerfile), Project(tmp_path, tmp_path / "Dockerfile")) == says


@pytest.mark.parametrize("title, before, extra, after", NON_ROOT, ids=[c[0] for c in NON_ROOT])
def test_non_root(run_transform, title, before, extra, after):
    files = {"app.py": "print('hi')\n", "db.sqlite3": "", "logs/.keep": ""}
    assert run_transform(non_root, before, files, extra=extra) == dedent(after)


def test_non_root_says_how_it_knows_the_app_writes_nothing(tmp_path):
    from helpers.variants.doc import Doc
    from helpers.variants.transform import Project

    (tmp_path / "Dockerfile").write_text(APP)
    project = Project(tmp_path, tmp_path / "Dockerfile", extra={"start_writes": ["/app/__pycache__/a.pyc"],
                                                               "start_evidence": DIFF})
    detail = non_root.apply(Doc.from_text(dedent(APP)), project)
    assert detail == ("runs as appuser (uid 1000); owns nothing; the original wrote nothing at start-up the new user "
                      "must own (at most temporary files, bytecode caches, root's home) (" + DIFF + ")")


def test_non_root_evidence_keeps_run_env_values_out_of_the_dockerfile(run_transform):
    """The evidence line names the `docker run` used; --run-env values (a secret key) must not reach the file."""
    said = ("docker diff of the original started with its own ENTRYPOINT/CMD (`docker run --rm -e SECRET_KEY=s3cr3t "
            "-e 'DSN=sqlite:///a b' img:original`), port 8000 accepted a connection")
    out = run_transform(non_root, APP, {"app.py": ""}, extra={"start_writes": ["/app/logs/x.log"],
                                                              "start_evidence": said})
    assert "s3cr3t" not in out and "sqlite:///" not in out
    assert "-e SECRET_KEY=... -e DSN=... img:original" in out


def test_non_root_never_claims_tmp_only_without_evidence(run_transform, tmp_path):
    """Regression: with no evidence and WORKDIR /, the outcome said "writes nothing but /tmp"."""
    from helpers.variants.doc import Doc
    from helpers.variants.transform import Project

    (tmp_path / "Dockerfile").write_text("FROM python\nCMD x\n")
    detail = non_root.apply(Doc.from_text("FROM python\nCMD x\n"), Project(tmp_path, tmp_path / "Dockerfile"))
    assert "/tmp" not in detail and "no evidence of what the app writes" in detail


@pytest.mark.parametrize("title, files, given, command", HEALTH, ids=[c[0] for c in HEALTH])
def test_healthcheck_fits_the_app(run_transform, title, files, given, command):
    out = run_transform(healthcheck, 'FROM python\nEXPOSE 8000\nCMD ["python", "app.py"]\n', files,
                        healthcheck=given)
    assert out.splitlines()[-2] == f"HEALTHCHECK {healthcheck.OPTIONS} CMD {command}"
    assert out.splitlines()[-1] == 'CMD ["python", "app.py"]'


def test_healthcheck_runs_the_apps_own_python(run_transform):
    """A virtualenv copied but not on PATH: `python` would be the base's (absent from a minimal base)."""
    out = run_transform(healthcheck, "FROM p AS b\nRUN python3 -m venv /venv\nFROM p\nCOPY --from=b /venv /venv\n"
                        'EXPOSE 8000\nCMD ["/venv/bin/python", "app.py"]\n')
    assert 'CMD ["/venv/bin/python", "-c", "import socket;' in out


def test_healthcheck_is_not_written_when_it_could_not_fail(run_transform):
    """Regression: with nothing to ask, `kill -0 1` was written, which succeeds while the container exists."""
    out = run_transform(healthcheck, 'FROM python\nCMD ["python", "app.py"]\n')
    assert out.startswith("SKIP: no health command given, no health module and no EXPOSEd port")
    assert "kill -0 1" in out and "cannot fail" in out


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
    assert pin_deps.constraints(FREEZE, "demo") == ["numpy==2.1.0"]


def test_pin_deps_never_holds_back_the_installer(run_transform):
    """Regression: the system interpreter's pip==22.3 pinned a venv's `pip install -U pip` back down."""
    out = run_transform(pin_deps, "FROM python\nRUN python -m venv /venv && /venv/bin/pip install -U pip setuptools "
                        "&& /venv/bin/pip install -r requirements.txt\n",
                        freeze=["pip==22.3", "setuptools==65.5.0", "wheel==0.38.0", "flask==3.0.3"],
                        extra={"freeze_python": "/venv/bin/python"})
    assert pin_deps.constraints(["pip==22.3", "setuptools==65.5.0", "wheel==0.38.0", "flask==3.0.3"], None) == \
        ["flask==3.0.3"]
    assert "/venv/bin/pip install -c /tmp/dockopt-constraints.txt -U pip setuptools" in out


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


def test_pin_deps_reads_versions_of_wheels_built_in_the_image_and_constrains_pip_wheel(run_transform):
    """Regression (multistage_django): its freeze lists `Django @ file:///wheels/Django-5.0.6-...whl`, which was
    dropped as a local install, so nothing was pinned; and `pip wheel -r`, which resolves them, was not constrained."""
    freeze = ["asgiref @ file:///wheels/asgiref-3.13.0-py3-none-any.whl",
              "Django @ file:///wheels/Django-5.0.6-py3-none-any.whl", "pip==23.0.1",
              "mypkg @ file:///src/mypkg", "other @ file:///wheels/renamed-1.0-py3-none-any.whl"]
    assert pin_deps.constraints(freeze, None) == ["asgiref==3.13.0", "Django==5.0.6"]
    out = run_transform(pin_deps, "FROM python AS build\nRUN pip wheel --wheel-dir /wheels -r requirements.txt\n"
                        "FROM python\nRUN pip install /wheels/*\n", freeze=freeze)
    assert "RUN pip wheel -c /tmp/dockopt-constraints.txt --wheel-dir /wheels -r requirements.txt" in out
    assert "RUN pip install -c /tmp/dockopt-constraints.txt /wheels/*" in out
