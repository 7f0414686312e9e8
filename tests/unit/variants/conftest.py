"""The ``run_transform`` fixture for the table-driven transform tests."""

import pytest

from variant_cases import transformed


@pytest.fixture
def run_transform(tmp_path):
    def run(transform, dockerfile, files=None, **kw):
        return transformed(transform, dockerfile, tmp_path, files, **kw)
    return run
