"""Phase 3 transforms: minimal runtime base, digest pins resolved through a given resolver."""

import pytest

from variant_cases import dedent
from helpers.variants import digest_pin, minimal_base

TWO_STAGE = """
ARG BASE_IMAGE={base}
FROM ${{BASE_IMAGE}} AS builder
RUN pip install -r requirements.txt
FROM ${{BASE_IMAGE}} AS runtime
COPY --from=builder /opt/venv /opt/venv
CMD ["python", "app.py"]
"""


def fake_registry(ref: str) -> str:
    """Stands in for the engine's loopback registry (digest_pin's resolver is a parameter)."""
    name = ref.rsplit(":", 1)[0]
    return f"127.0.0.1:5959/{name}@sha256:{'ab' * 32}"


def test_minimal_base_for_dockopts_debian_base(run_transform):
    out = run_transform(minimal_base, TWO_STAGE.format(base="dockopt/python:3.11-bookworm"))
    assert out == dedent("""
        ARG BASE_IMAGE=dockopt/python:3.11-bookworm
        ARG RUNTIME_BASE_IMAGE=dockopt/python:3.11-bookworm-minimal

        FROM ${BASE_IMAGE} AS builder
        RUN pip install -r requirements.txt

        FROM ${RUNTIME_BASE_IMAGE} AS runtime
        COPY --from=builder /opt/venv /opt/venv
        CMD ["python", "app.py"]
        """)


@pytest.mark.parametrize("dockerfile, reason", [
    (TWO_STAGE.format(base="python:3.11-slim"), "python:3.11-slim: a minimal runtime would be "
                                                "gcr.io/distroless/python3-debian12"),
    (TWO_STAGE.format(base="ubuntu:22.04"), "no minimal counterpart known for ubuntu:22.04"),
    ("FROM dockopt/python:3.11-bookworm\nRUN pip install x\n", "single stage"),
    ("FROM python AS b\nFROM dockopt/python:3.11-bookworm\nCOPY --from=b /usr/local /usr/local\n",
     "the final stage does not receive a virtualenv"),
])
def test_minimal_base_says_why_not(run_transform, dockerfile, reason):
    assert run_transform(minimal_base, dockerfile).startswith(f"SKIP: {reason}")


def test_digest_pin_pins_every_external_base_and_drops_the_arg(run_transform):
    out = run_transform(digest_pin, TWO_STAGE.format(base="dockopt/python:3.11-bookworm") +
                        "FROM builder AS tests\n", pin=fake_registry)
    digest = "ab" * 32
    assert out == dedent(f"""

        FROM 127.0.0.1:5959/dockopt/python@sha256:{digest} AS builder
        RUN pip install -r requirements.txt

        FROM 127.0.0.1:5959/dockopt/python@sha256:{digest} AS runtime
        COPY --from=builder /opt/venv /opt/venv
        CMD ["python", "app.py"]

        FROM builder AS tests
        """)


@pytest.mark.parametrize("dockerfile, pin, reason", [
    ("FROM python\n", None, "no engine to resolve digests from"),
    ("FROM python@sha256:" + "cd" * 32 + "\n", fake_registry, "every base is already pinned"),
    ("ARG BASE\nFROM ${BASE}\n", fake_registry, "FROM ${BASE}: the base depends on a build arg"),
])
def test_digest_pin_skips(run_transform, dockerfile, pin, reason):
    assert run_transform(digest_pin, dockerfile, pin=pin).startswith(f"SKIP: {reason}")


def test_digest_pin_reports_an_unresolvable_base(run_transform):
    def unreachable(ref):
        raise LookupError(f"{ref} is not on this engine")

    out = run_transform(digest_pin, "FROM python:3.11\n", pin=unreachable)
    assert out == "SKIP: cannot resolve a digest for python:3.11: python:3.11 is not on this engine"
