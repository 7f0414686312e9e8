"""copy_chown: COPY + RUN chown -R of the same directory becomes COPY --chown (one copy of the bytes)."""

import pytest

from variant_cases import dedent
from helpers.variants import copy_chown

CASES = [
    ("WORKDIR app: owner set by the COPY, the directory itself still chowned",
     """
     FROM python
     RUN useradd -m app
     WORKDIR /app
     COPY requirements.txt .
     RUN pip install -r requirements.txt
     COPY . .
     RUN chown -R app:app /app
     USER app
     """,
     """

     FROM python
     RUN useradd -m app
     WORKDIR /app
     COPY --chown=app:app requirements.txt .
     RUN pip install -r requirements.txt
     COPY --chown=app:app . .
     RUN chown app:app /app
     USER app
     """),
    ("user created after the COPY moves before it; other commands of the RUN stay",
     """
     FROM python
     COPY --from=python /usr/local/lib /srv/lib
     COPY app/ /srv/app/
     RUN useradd web && chown -R web /srv && echo ok
     """,
     """

     FROM python
     RUN useradd web
     COPY --from=python --chown=web /usr/local/lib /srv/lib
     COPY --chown=web app/ /srv/app/
     RUN chown web /srv \\
      && echo ok
     """),
    ("a RUN of its own creating the user after the COPY: moved before it",
     """
     FROM python
     COPY . /app
     RUN useradd app
     RUN chown -R app /app
     """,
     """

     FROM python
     RUN useradd app
     COPY --chown=app . /app
     RUN chown app /app
     """),
    ("a RUN that writes into the directory first: left alone",
     """
     FROM python
     RUN useradd app
     WORKDIR /app
     COPY . .
     RUN pip install -e .
     RUN chown -R app /app
     """, "SKIP: no RUN chown -R of a directory that only COPYs filled"),
    ("the owner is created nowhere: left alone (the COPY would fail to resolve it)",
     """
     FROM python
     COPY . /app
     RUN chown -R svc /app
     """, "SKIP: no RUN chown -R of a directory that only COPYs filled"),
    ("numeric owner, a WORKDIR inside the directory: left alone",
     """
     FROM python
     COPY . /app
     WORKDIR /app/run
     RUN chown -R 1000:1000 /app
     """, "SKIP: no RUN chown -R of a directory that only COPYs filled"),
    ("chown -R of a directory no COPY filled",
     """
     FROM python
     RUN useradd app && mkdir /data
     COPY . /app
     RUN chown -R app /data
     """, "SKIP: no RUN chown -R of a directory that only COPYs filled"),
]


@pytest.mark.parametrize("title, before, after", CASES, ids=[c[0] for c in CASES])
def test_copy_chown(run_transform, title, before, after):
    files = {"requirements.txt": "flask\n", "app/main.py": "", "setup.py": ""}
    assert run_transform(copy_chown, before, files) == dedent(after)
