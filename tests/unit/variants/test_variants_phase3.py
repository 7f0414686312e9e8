"""Phase 3 transforms: minimal runtime base, digest pins resolved through a given resolver (a plain
digest, or a manifest list over amd64 and arm64 with each platform's digest named in the header)."""

import pytest

from variant_cases import dedent
from helpers.engine.registry import Pinned
from helpers.variants import digest_pin, minimal_base, phases
from helpers.variants.doc import Doc
from helpers.variants.transform import Project

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
     "the final stage copies no virtualenv from another stage"),
])
def test_minimal_base_says_why_not(run_transform, dockerfile, reason):
    assert run_transform(minimal_base, dockerfile).startswith(f"SKIP: {reason}")


@pytest.mark.parametrize("copy", [
    "COPY --from=builder /venv /venv",
    "COPY --from=builder /opt/venv/ /opt/venv/",
    "COPY --from=builder /app/.venv /app/.venv",
])
def test_minimal_base_sees_a_virtualenv_wherever_it_lives(run_transform, copy):
    """Regression: only a COPY of exactly /opt/venv counted, so `/venv` was told it receives none."""
    out = run_transform(minimal_base, "FROM dockopt/python:3.11-bookworm AS builder\nRUN python -m venv /venv\n"
                        f"FROM dockopt/python:3.11-bookworm\n{copy}\n")
    assert "FROM dockopt/python:3.11-bookworm-minimal" in out or "${RUNTIME_BASE_IMAGE}" in out, out


@pytest.mark.parametrize("maker, linked", [("python", True), ("python3", False)])
def test_minimal_base_links_python_for_a_venv_made_by_python(run_transform, maker, linked):
    """Regression (real build): `python -m venv /venv` links /venv/bin/python to /usr/bin/python, which the
    minimal base lacks, so the container could not start (exec: /venv/bin/python: no such file)."""
    out = run_transform(minimal_base, f"FROM dockopt/python:3.11-bookworm AS builder\nRUN {maker} -m venv /venv\n"
                        "FROM dockopt/python:3.11-bookworm\nCOPY --from=builder /venv /venv\n")
    assert ("RUN ln -s python3 /usr/bin/python" in out) is linked, out


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


# Multi-platform pins: the resolver returns a registry.Pinned that says what its digest covers.

LIST = "11" * 32
AMD, ARM = "sha256:" + "a1" * 32, "sha256:" + "b2" * 32
AMD_MIN, ARM_MIN = "sha256:" + "c3" * 32, "sha256:" + "d4" * 32
NO_ARM = ("no linux/arm64 base here (dockopt/python:3.11-bookworm-arm64 is missing; "
          "`dockopt base --platform linux/arm64` builds it, then generate again)")


def both_platforms(ref: str) -> Pinned:
    """A manifest list over the amd64 and arm64 images of each base, as registry.pin_platforms gives."""
    amd, arm = (AMD_MIN, ARM_MIN) if ref.endswith("-minimal") else (AMD, ARM)
    digest = "sha256:" + ("22" * 32 if ref.endswith("-minimal") else LIST)
    return Pinned(f"127.0.0.1:5959/dockopt/python@{digest}", {"linux/amd64": amd, "linux/arm64": arm})


def amd64_only(ref: str) -> Pinned:
    """No arm64 base on this engine: the pin is the amd64 image's own digest, and says why."""
    digest = AMD_MIN if ref.endswith("-minimal") else AMD
    return Pinned(f"127.0.0.1:5959/dockopt/python@{digest}", {"linux/amd64": digest},
                  NO_ARM.replace("3.11-bookworm-arm64", ref.split(":")[1] + "-arm64"))


PHASE2 = TWO_STAGE.format(base="dockopt/python:3.11-bookworm")


@pytest.mark.parametrize("resolver, builder, runtime, described", [
    (both_platforms, f"sha256:{LIST}", "sha256:" + "22" * 32,
     [f"dockopt/python:3.11-bookworm -> 127.0.0.1:5959/dockopt/python@sha256:{LIST}, "
      f"a manifest list of linux/amd64 {AMD}, linux/arm64 {ARM}",
      "dockopt/python:3.11-bookworm-minimal -> 127.0.0.1:5959/dockopt/python@sha256:" + "22" * 32 +
      f", a manifest list of linux/amd64 {AMD_MIN}, linux/arm64 {ARM_MIN}"]),
    (amd64_only, AMD, AMD_MIN,
     [f"dockopt/python:3.11-bookworm -> 127.0.0.1:5959/dockopt/python@{AMD}, linux/amd64 {AMD} only ({NO_ARM})",
      f"dockopt/python:3.11-bookworm-minimal -> 127.0.0.1:5959/dockopt/python@{AMD_MIN}, linux/amd64 {AMD_MIN} only "
      f"({NO_ARM.replace('3.11-bookworm-arm64', '3.11-bookworm-minimal-arm64')})"]),
])
def test_phase3_pins_and_its_header_names_every_digest(tmp_path, resolver, builder, runtime, described):
    """The generated phase 3: minimal runtime, both bases pinned, and the header says by what."""
    (tmp_path / "Dockerfile").write_text(dedent(PHASE2))
    project = Project(tmp_path, tmp_path / "Dockerfile", pin=resolver)
    doc, outcomes = phases.derive(Doc.from_text(dedent(PHASE2)), "phase3", project, "Dockerfile.phase2")
    text = doc.render()
    froms = [line for line in text.splitlines() if line.startswith("FROM ")]
    assert froms == [f"FROM 127.0.0.1:5959/dockopt/python@{builder} AS builder",
                     f"FROM 127.0.0.1:5959/dockopt/python@{runtime} AS runtime"]
    assert "ARG " not in text  # the base ARGs are gone: a build arg would undo the pin
    pin_line = next(line for line in text.splitlines() if line.startswith("# - digest_pin"))
    assert pin_line == "# - digest_pin [DO302, DO303]: " + "; ".join(described)


def test_digest_pin_accepts_a_plain_string_resolver(run_transform):
    out = run_transform(digest_pin, "FROM dockopt/python:3.11-bookworm\n", pin=fake_registry)
    assert out.startswith("FROM 127.0.0.1:5959/dockopt/python@sha256:" + "ab" * 32)
