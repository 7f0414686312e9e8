"""Which virtualenv the final stage runs with: what pinning freezes and minimal_base keeps."""

import pytest

from helpers.variants.doc import Doc
from helpers.variants.venvs import interpreter, runtime_venv

CASES = [
    ("VIRTUAL_ENV set", "FROM p AS b\nRUN python -m venv /opt/venv\nFROM p\nENV VIRTUAL_ENV=/opt/venv\n", "/opt/venv"),
    ("copied from the builder, on PATH", "FROM p AS b\nRUN python3 -m venv --copies /venv\n"
     "FROM p\nCOPY --from=b /venv /venv\nENV PATH=/venv/bin:$PATH\n", "/venv"),
    ("copied, not on PATH (CMD names its python)", "FROM p AS b\nRUN python -m venv /srv/env\n"
     "FROM p\nCOPY --from=b /srv/env /srv/env\nCMD [\"/srv/env/bin/python\", \"app.py\"]\n", "/srv/env"),
    ("uv sync in the workdir, PATH set", "FROM p\nWORKDIR /app\nRUN uv sync --frozen\nENV PATH=/app/.venv/bin:$PATH\n",
     "/app/.venv"),
    ("uv sync to UV_PROJECT_ENVIRONMENT", "FROM p\nENV UV_PROJECT_ENVIRONMENT=/opt/py\nRUN uv sync\n"
     "ENV PATH=/opt/py/bin:$PATH\n", "/opt/py"),
    ("inherited from the stage it is built FROM", "FROM p AS base\nRUN python -m venv /venv\n"
     "ENV PATH=/venv/bin:$PATH\nFROM base\nCMD x\n", "/venv"),
    ("a bin dir on PATH that is no virtualenv", "FROM p\nENV PATH=/usr/local/go/bin:$PATH\n", None),
    ("system interpreter", "FROM p\nRUN pip install flask\n", None),
    ("builder venv never copied to the runtime", "FROM p AS b\nRUN python -m venv /venv\nFROM p\nRUN pip install x\n",
     None),
]


@pytest.mark.parametrize("title, dockerfile, venv", CASES, ids=[c[0] for c in CASES])
def test_runtime_venv(title, dockerfile, venv):
    doc = Doc.from_text(dockerfile)
    assert runtime_venv(doc) == venv
    assert interpreter(doc) == (f"{venv}/bin/python" if venv else "python")
