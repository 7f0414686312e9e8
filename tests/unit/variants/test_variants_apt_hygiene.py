"""apt_hygiene: input Dockerfile -> expected Dockerfile (or the reason it is skipped)."""

import pytest

from variant_cases import dedent
from helpers.variants import apt_hygiene

CASES = [
    ("cleanup in a later RUN is merged, recommends off",
     """
     FROM debian
     RUN apt-get update && apt-get install -y build-essential cmake
     RUN rm -rf /var/lib/apt/lists/*
     """,
     """
     FROM debian
     RUN apt-get update \\
      && apt-get install --no-install-recommends -y build-essential cmake \\
      && apt-get clean \\
      && rm -rf /var/lib/apt/lists/*
     """),
    ("missing update and -y are added",
     """
     FROM debian
     RUN apt-get install curl
     """,
     """
     FROM debian
     RUN apt-get update \\
      && apt-get install -y --no-install-recommends curl \\
      && apt-get clean \\
      && rm -rf /var/lib/apt/lists/*
     """),
    ("consecutive apt RUNs become one",
     """
     FROM debian
     RUN apt-get update
     RUN apt-get install -y --no-install-recommends libpq5
     """,
     """
     FROM debian
     RUN apt-get update \\
      && apt-get install -y --no-install-recommends libpq5 \\
      && apt-get clean \\
      && rm -rf /var/lib/apt/lists/*
     """),
    ("already tidy", """
     FROM debian
     RUN apt-get update && apt-get install -y --no-install-recommends curl && apt-get clean && rm -rf /var/lib/apt/lists/*
     """, "SKIP: apt steps already combine cleanup and --no-install-recommends"),
    ("apk is not rewritten", """
     FROM alpine
     RUN apk add --no-cache build-base
     """, "SKIP: package manager apk: only apt is rewritten"),
    ("apt hidden in a pipe is not followed", """
     FROM debian
     RUN yes | apt-get install curl
     """, "SKIP: every apt RUN hides apt inside pipes or command lists this transform does not follow"),
]


@pytest.mark.parametrize("title, before, after", CASES, ids=[c[0] for c in CASES])
def test_apt_hygiene(run_transform, title, before, after):
    assert run_transform(apt_hygiene, before) == dedent(after)
