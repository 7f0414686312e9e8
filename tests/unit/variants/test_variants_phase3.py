"""Phase 3 transforms: minimal runtime base, and digest pins resolved through a given resolver: the
base as the user wrote it with its registry's digest (the header says what it covers), or, with no
registry digest known, the base kept as written and the header saying how to pin it."""

import pytest

from variant_cases import dedent
from helpers.engine.registry_digest import RegistryPin, how_to_pin
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
    """Stands in for the engine's RepoDigests lookup (digest_pin's resolver is a parameter)."""
    return f"{ref}@sha256:{'ab' * 32}"


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

        FROM dockopt/python:3.11-bookworm@sha256:{digest} AS builder
        RUN pip install -r requirements.txt

        FROM dockopt/python:3.11-bookworm@sha256:{digest} AS runtime
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
    assert out == ("SKIP: kept as written: cannot resolve a digest for python:3.11: python:3.11 is not on this engine; "
                   "to pin on a machine that reaches the registry: `docker pull python:3.11 && docker inspect --format "
                   "'{{index .RepoDigests 0}}' python:3.11` (or `docker buildx imagetools inspect python:3.11`), "
                   "then write FROM python:3.11@sha256:<that digest>")


# Portable pins: the resolver returns a registry_digest.RegistryPin, with a digest or the reason there is none.

LIST, MIN_LIST = "sha256:" + "11" * 32, "sha256:" + "22" * 32
COVERS = "a manifest list of linux/amd64, linux/arm64/v8"
NO_DIGEST = "{}: the image here has no registry digest for docker.io/{} (built on this machine, or never pulled from there)"


def pulled(ref: str) -> RegistryPin:
    """Both bases pulled by tag from their registry: the RepoDigest is the tag's manifest list."""
    digest = MIN_LIST if ref.endswith("-minimal") else LIST
    return RegistryPin(ref, f"{ref}@{digest}", covers=COVERS)


def built_here(ref: str) -> RegistryPin:
    """Bases built on this machine (dockopt's own): no registry digest is known."""
    return RegistryPin(ref, None, why_not=NO_DIGEST.format(ref, ref.split(":")[0]))


def pulled_builder_only(ref: str) -> RegistryPin:
    return built_here(ref) if ref.endswith("-minimal") else pulled(ref)


PHASE2 = TWO_STAGE.format(base="dockopt/python:3.11-bookworm")


def phase3_of(tmp_path, resolver, phase2=PHASE2):
    (tmp_path / "Dockerfile").write_text(dedent(phase2))
    project = Project(tmp_path, tmp_path / "Dockerfile", pin=resolver)
    doc, outcomes = phases.derive(Doc.from_text(dedent(phase2)), "phase3", project, "Dockerfile.phase2")
    text = doc.render()
    return text, {o.name: o for o in outcomes}, next(line for line in text.splitlines() if "digest_pin" in line)


def test_phase3_pins_each_base_as_written_with_its_registry_digest(tmp_path):
    text, outcomes, pin_line = phase3_of(tmp_path, pulled)
    assert [line for line in text.splitlines() if line.startswith("FROM ")] == [
        f"FROM dockopt/python:3.11-bookworm@{LIST} AS builder",
        f"FROM dockopt/python:3.11-bookworm-minimal@{MIN_LIST} AS runtime"]
    assert "ARG " not in text  # the base ARGs are gone: a build arg would undo the pin
    assert outcomes["digest_pin"].applied
    assert pin_line == ("# - digest_pin [DO302, DO303]: "
                        f"dockopt/python:3.11-bookworm -> dockopt/python:3.11-bookworm@{LIST}, {COVERS}; "
                        f"dockopt/python:3.11-bookworm-minimal -> dockopt/python:3.11-bookworm-minimal@{MIN_LIST}, "
                        f"{COVERS}")


def test_phase3_keeps_bases_without_a_registry_digest_as_written_and_says_how_to_pin(tmp_path):
    text, outcomes, pin_line = phase3_of(tmp_path, built_here)
    assert [line for line in text.splitlines() if line.startswith(("FROM ", "ARG "))] == [
        "ARG BASE_IMAGE=dockopt/python:3.11-bookworm", "ARG RUNTIME_BASE_IMAGE=dockopt/python:3.11-bookworm-minimal",
        "FROM ${BASE_IMAGE} AS builder", "FROM ${RUNTIME_BASE_IMAGE} AS runtime"]
    assert not outcomes["digest_pin"].applied
    assert pin_line == ("# - digest_pin: skipped: kept as written: "
                        + NO_DIGEST.format("dockopt/python:3.11-bookworm", "dockopt/python") + "; "
                        + NO_DIGEST.format("dockopt/python:3.11-bookworm-minimal", "dockopt/python") + "; "
                        + how_to_pin(["a", "b"]))
    assert "docker pull IMAGE && docker inspect --format '{{index .RepoDigests 0}}' IMAGE" in pin_line
    assert "sha256:" not in text.replace("sha256:<that digest>", "")


def test_phase3_pins_what_it_can_and_names_what_it_kept(tmp_path):
    text, outcomes, pin_line = phase3_of(tmp_path, pulled_builder_only)
    assert [line for line in text.splitlines() if line.startswith(("FROM ", "ARG "))] == [
        "ARG RUNTIME_BASE_IMAGE=dockopt/python:3.11-bookworm-minimal",
        f"FROM dockopt/python:3.11-bookworm@{LIST} AS builder", "FROM ${RUNTIME_BASE_IMAGE} AS runtime"]
    assert outcomes["digest_pin"].applied
    assert pin_line.endswith("; kept as written: " + NO_DIGEST.format("dockopt/python:3.11-bookworm-minimal",
                                                                      "dockopt/python") + "; "
                            + how_to_pin(["dockopt/python:3.11-bookworm-minimal"]))
    assert "`docker pull dockopt/python:3.11-bookworm-minimal && docker inspect" in pin_line


@pytest.mark.parametrize("base", ["python:3.11-slim", "localhost:5961/team/python:3.11",
                                  "registry.example:443/team/python:3.11"])
def test_a_base_named_via_arg_is_pinned_under_the_name_the_user_wrote(run_transform, base):
    out = run_transform(digest_pin, f"ARG BASE_IMAGE={base}\nFROM ${{BASE_IMAGE}}\nCMD [\"python\"]\n", pin=pulled)
    assert out == f"FROM {base}@{LIST}\nCMD [\"python\"]\n"


def test_digest_pin_accepts_a_plain_string_resolver(run_transform):
    out = run_transform(digest_pin, "FROM dockopt/python:3.11-bookworm\n", pin=fake_registry)
    assert out.startswith("FROM dockopt/python:3.11-bookworm@sha256:" + "ab" * 32)
