"""reorder_deps: manifests and dependency installs move before the source; the package stays after."""

import pytest

from variant_cases import dedent
from helpers.variants import reorder_deps

PYPROJECT = '[project]\nname = "demo"\nversion = "1"\ndependencies = ["numpy>=1.26"]\n'
CASES = [
    ("requirements.txt installed after COPY . .",
     """
     FROM python
     WORKDIR /app
     COPY . .
     RUN pip install --no-cache-dir -r requirements.txt
     CMD ["python", "app.py"]
     """,
     {"requirements.txt": "flask==3.0.0\n", "app.py": ""},
     """
     FROM python
     WORKDIR /app
     COPY requirements.txt ./
     RUN pip install --no-cache-dir -r requirements.txt
     COPY . .
     CMD ["python", "app.py"]
     """),
    ("nested -r and -c files are copied too",
     """
     FROM python
     COPY . .
     RUN pip install -r requirements/prod.txt
     """,
     {"requirements/prod.txt": "-r base.txt\n-c ../constraints.txt\n", "requirements/base.txt": "six\n",
      "constraints.txt": "six==1.16.0\n"},
     """
     FROM python
     COPY requirements/prod.txt requirements/base.txt constraints.txt ./
     RUN pip install -r requirements/prod.txt
     COPY . .
     """),
    ("pyproject project: dependencies from [project], package with --no-deps, src narrowed to the package",
     """
     FROM python
     WORKDIR /app
     COPY pyproject.toml README.md ./
     COPY src/ ./src/
     RUN pip install -U pip && pip install .
     COPY . .
     """,
     {"pyproject.toml": PYPROJECT, "README.md": "", "src/demo/__init__.py": "", "src/scripts/run.py": ""},
     """
     FROM python
     WORKDIR /app
     COPY pyproject.toml ./
     RUN pip install -U pip \\
      && python -c "import tomllib; t = tomllib.load(open('pyproject.toml', 'rb')); p = t['project']; print('\\n'.join(p.get('dependencies', [])))" > /tmp/deps.txt \\
      && pip install -r /tmp/deps.txt
     COPY README.md ./
     COPY src/demo ./src/demo
     RUN pip install --no-deps .
     COPY . .
     """),
    ("declared build requirements join the dependencies; the package then builds without isolation",
     """
     FROM python
     COPY . .
     RUN pip install --no-cache-dir .
     """,
     {"pyproject.toml": PYPROJECT + '[build-system]\nrequires = ["setuptools>=61"]\n'},
     """
     FROM python
     COPY pyproject.toml ./
     RUN python -c "import tomllib; t = tomllib.load(open('pyproject.toml', 'rb')); p = t['project']; print('\\n'.join(p.get('dependencies', []) + t.get('build-system', {}).get('requires', []) + ['wheel']))" > /tmp/deps.txt \\
      && pip install --no-cache-dir -r /tmp/deps.txt
     COPY . .
     RUN pip install --no-cache-dir --no-deps --no-build-isolation .
     """),
    ("uv: locked dependencies without the project first",
     """
     FROM python
     WORKDIR /app
     COPY . .
     RUN uv sync --frozen --no-dev
     """,
     {"pyproject.toml": PYPROJECT, "uv.lock": ""},
     """
     FROM python
     WORKDIR /app
     COPY pyproject.toml uv.lock ./
     RUN uv sync --frozen --no-dev --no-install-project
     COPY . .
     RUN uv sync --frozen --no-dev
     """),
    ("poetry: --no-root first",
     """
     FROM python
     COPY . .
     RUN poetry install --only main
     """,
     {"pyproject.toml": "[tool.poetry]\nname = 'x'\n", "poetry.lock": ""},
     """
     FROM python
     COPY pyproject.toml poetry.lock ./
     RUN poetry install --only main --no-root
     COPY . .
     RUN poetry install --only main
     """),
    ("dependencies only in setup.py", """
     FROM python
     COPY . .
     RUN pip install .
     """, {"setup.py": "from setuptools import setup\nsetup(install_requires=['x'])\n"},
     "SKIP: the project's dependencies are declared in setup.py (or not at all in pyproject.toml's [project]): "
     "they can only be read by running it"),
    ("already in order", """
     FROM python
     COPY requirements.txt .
     RUN pip install -r requirements.txt
     COPY . .
     """, {"requirements.txt": "six\n"}, "SKIP: dependencies are already installed before any source is copied"),
    ("cd before the install", """
     FROM python
     COPY . .
     RUN cd app && pip install -r requirements.txt
     """, {"app/requirements.txt": "six\n"},
     "SKIP: `cd app` changes directory before the install; cannot move it safely"),
    ("pip wheel -r is a dependency install: the source copied before it moves after it",
     """
     FROM python AS build
     WORKDIR /build
     COPY . .
     RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt
     FROM python
     COPY --from=build /wheels /wheels
     """,
     {"requirements.txt": "django==5.0.6\n", "manage.py": ""},
     """
     FROM python AS build
     WORKDIR /build
     COPY requirements.txt ./
     RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt
     COPY . .

     FROM python
     COPY --from=build /wheels /wheels
     """),
]


@pytest.mark.parametrize("title, before, files, after", CASES, ids=[c[0] for c in CASES])
def test_reorder_deps(run_transform, title, before, files, after):
    assert run_transform(reorder_deps, before, files) == dedent(after)
