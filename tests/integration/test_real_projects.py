"""Real-shaped projects: every generated variant still starts the way the image ships.

Each project under tests/fixtures/projects (the six listed in ``PROJECTS``) is derived and built
once per session; the original and every variant are started with their own ENTRYPOINT and CMD
(plus the environment the app needs) and judged by ``ship_check``. A variant made without write
access to what the app writes at start-up proves the check can fail.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from helpers.engine import buildkit
from helpers.engine.containers import RunOptions
from helpers.engine.ships import check as ship_check
from helpers.variants import derive_variants

pytestmark = pytest.mark.engine

ROOT = Path(__file__).parent.parent / "fixtures" / "projects"
TAG_PREFIX = "dockopt-test/real"


@dataclass(frozen=True)
class Shipped:
    dockerfile: str = "Dockerfile"
    run_env: dict[str, str] = field(default_factory=dict)
    state: str = ""  # the passing state the original must reach (helpers.engine.ships.ShipCheck.state)


PROJECTS = {
    "writes_at_start": Shipped(state="listening"),
    "entrypoint_migrate": Shipped(state="listening"),
    "django_prod": Shipped(dockerfile="Dockerfile.prod", state="running"),  # no EXPOSE
    "needs_env": Shipped(run_env={"SECRET_KEY": "fixture-only-secret", "DATABASE_URL": "sqlite:////tmp/x.db"},
                         state="listening"),
    "compiled_reqs": Shipped(state="healthy"),
    "oneshot_cli": Shipped(state="exited 0"),
}


@pytest.fixture(scope="session")
def real_projects(base_images, tmp_path_factory):
    """name -> (out_dir, [original, phase1, phase2, phase3]), each derived and built once."""
    built = {}
    for name, shipped in PROJECTS.items():
        out = tmp_path_factory.mktemp(f"real-{name}")
        context = ROOT / name
        built[name] = out, derive_variants(context, context / shipped.dockerfile, out, rebuild=False,
                                           run_env=shipped.run_env or None, tag_prefix=TAG_PREFIX)
    return built


def describe(result) -> str:
    ships = result.ships
    if ships is None:
        return f"{result.name}: not started ({result.error or 'no image'})"
    return (f"{result.name}: {ships.state} ({ships.how}), exit {ships.exit_code}, uid {ships.uid}, "
            f"`{ships.command}`\n{ships.log_tail}\n{result.error}")


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_the_original_starts_as_it_ships(real_projects, project):
    original = real_projects[project][1][0]
    assert original.image_id, describe(original)
    assert original.ships.ok, describe(original)
    assert original.ships.state == PROJECTS[project].state, describe(original)


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_every_variant_starts_as_it_ships(real_projects, project):
    _, results = real_projects[project]
    assert [r.name for r in results] == ["original", "phase1", "phase2", "phase3"]
    for result in results[1:]:
        assert result.image_id, describe(result)
        assert result.ships is not None and result.ships.ok, describe(result)
        assert not result.broken, describe(result)
        assert not result.dockerfile.name.endswith(".broken"), describe(result)


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_phase_2_and_3_run_as_a_non_root_uid(real_projects, docker_client, project):
    for result in real_projects[project][1][2:]:
        assert result.image_id, describe(result)
        user = docker_client.images.get(result.image_id).attrs["Config"]["User"]
        assert user and user.split(":")[0] not in ("root", "0"), f"{project} {result.name}: Config.User={user!r}"
        # A one-shot command may exit before its uid is read; a server must report it.
        if result.ships.uid is not None or PROJECTS[project].state != "exited 0":
            assert result.ships.uid is not None and result.ships.uid > 0, describe(result)


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_generated_files_name_no_loopback_registry(real_projects, project):
    from helpers.engine.registry import REGISTRY

    out, _ = real_projects[project]
    found = [f"{path.name}:{n}: {line.strip()[:160]}" for path in sorted(p for p in out.rglob("*") if p.is_file())
             for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1) if REGISTRY in line]
    assert not found, "\n".join(found)


# The ways a generated Dockerfile can grant the new user a directory: `chown` in a RUN (alone or
# joined with &&, possibly guarded as `{ [ ! -e F ] || chown ...; }`) and `COPY --chown`.
GUARDED_CHOWN = re.compile(r"\s*(?:\\\n\s*)?&&\s*\{[^{}]*\bchown\b[^{}]*\}")
JOINED_CHOWN = re.compile(r"\s*(?:\\\n\s*)?&&\s*chown\b[^&\n]*(?:\\\n[^&\n]*)*?(?=\s*(?:\\\n\s*)?&&|\n|$)")
FIRST_CHOWN = re.compile(r"^RUN\s+chown\b[^&\n]*(?:\\\n[^&\n]*)*?\s*(?:\\\n\s*)?&&\s*", re.M)
ONLY_CHOWN = re.compile(r"^RUN\s+chown\b[^&\n]*(?:\\\n[^&\n]*)*\n", re.M)
COPY_CHOWN = re.compile(r"\s--chown=\S+")


def without_ownership(text: str) -> str:
    """The Dockerfile with every grant of ownership removed: the app's directories stay root's."""
    for pattern in (GUARDED_CHOWN, JOINED_CHOWN):
        text = pattern.sub("", text)
    text = FIRST_CHOWN.sub("RUN ", text)
    text = ONLY_CHOWN.sub("", text)
    return COPY_CHOWN.sub("", text)


def test_without_ownership_removes_each_form():
    text = ("FROM b\nRUN useradd appuser\nCOPY --chown=appuser:appuser . .\n"
            "RUN mkdir -p /app/logs /app/data \\\n && chown appuser:appuser /app/logs /app/data \\\n"
            " && { [ ! -e /app/data/app.db ] || chown appuser:appuser /app/data/app.db; }\n"
            "RUN chown -R appuser /srv\nRUN chown appuser /x && touch /x/y\nUSER appuser\n")
    assert without_ownership(text) == ("FROM b\nRUN useradd appuser\nCOPY . .\n"
                                       "RUN mkdir -p /app/logs /app/data\nRUN touch /x/y\nUSER appuser\n")


def test_a_variant_without_write_access_fails_the_ship_check(real_projects, tmp_path):
    """Phase 2 of writes_at_start minus its ownership grants: the app cannot create logs/app.log."""
    out, results = real_projects["writes_at_start"]
    phase2 = results[2]
    assert phase2.ships is not None and phase2.ships.ok, describe(phase2)
    mutated = without_ownership(phase2.text)
    instructions = [line for line in mutated.splitlines() if not line.lstrip().startswith("#")]
    assert mutated != phase2.text and not any("chown" in line for line in instructions), \
        f"no ownership grant found (or one left) in:\n{phase2.text}"
    assert re.search(r"^USER\s+appuser", mutated, re.M), mutated

    context = tmp_path / "context"
    shutil.copytree(ROOT / "writes_at_start", context)
    for generated in phase2.files:  # ignore file, constraints: placed as derive_variants places them
        name = generated.name.replace(phase2.dockerfile.name, "Dockerfile.noown")
        shutil.copy(generated, context / name)
    (context / "Dockerfile.noown").write_text(mutated)
    build = buildkit.build(context, context / "Dockerfile.noown", f"{TAG_PREFIX}/writes_at_start:noown", check=False)
    assert build.ok, build.log_tail()

    check = ship_check(build.image_id, RunOptions())
    assert not check.ok, f"{check.state} ({check.how}): {check.log_tail}"
    assert "PermissionError" in check.log_tail, check.log_tail
    assert "logs" in check.log_tail, check.log_tail
