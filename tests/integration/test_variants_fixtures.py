"""Generated variants of five realistic projects build and pass their smoke commands."""

from pathlib import Path

import pytest

from helpers.variants import derive_variants

pytestmark = pytest.mark.engine

PROJECTS = Path(__file__).parent.parent / "fixtures" / "projects"
# project: (smoke command, text its output must contain, file whose content a code change edits)
SMOKE = {
    "flask_app": ("python -c \"from app import app; print(app.test_client().get('/health').data.decode())\"",
                  "ok", "app.py"),
    "reqs_cli": ("python -m fetcher --version", "fetcher 1.2.0 ok", "fetcher/__main__.py"),
    "uv_project": ("greeter", "greeter ok", "src/greeter/__init__.py"),
    "compiled_dep": ("dbtool --check", "dbtool ok libpq=", "src/dbtool/cli.py"),
    "multistage_django": ("python manage.py check", "System check identified no issues", "site_app/views.py"),
}


UV_VERSION = "0.4.30"


def ensure_uv_lock(docker_client, project: Path) -> None:
    """The uv fixture's lock file is generated, never committed (a lock records download
    addresses): `uv lock` runs in dockopt's Python base, labelled and removed."""
    if (project / "uv.lock").is_file():
        return
    from helpers.engine import base_images
    from helpers.engine.labels import ours

    docker_client.containers.run(
        base_images.PYTHON_TAG, ["sh", "-c", f"pip install -q uv=={UV_VERSION} && UV_NATIVE_TLS=1 uv lock"],
        working_dir="/p", volumes={str(project.resolve()): {"bind": "/p", "mode": "rw"}}, remove=True, labels=ours())
    assert (project / "uv.lock").is_file()


@pytest.fixture(scope="session")
def fixture_variants(base_images, docker_client, tmp_path_factory):
    """Every fixture's variants, derived and built once per session (no rebuild timing: CI time)."""
    ensure_uv_lock(docker_client, PROJECTS / "uv_project")
    results = {}
    for name, (smoke, expect, _) in SMOKE.items():
        out = tmp_path_factory.mktemp(name)
        context = PROJECTS / name
        results[name] = derive_variants(context, context / "Dockerfile", out, smoke=smoke, expect=expect,
                                        rebuild=False)
    return results


@pytest.mark.parametrize("project", sorted(SMOKE))
def test_every_variant_builds_and_passes_its_smoke_command(fixture_variants, project):
    for result in fixture_variants[project]:
        assert result.image_id, f"{project} {result.name}: {result.error}"
        assert result.smoke_ok, f"{project} {result.name}: {result.error}"


@pytest.mark.parametrize("project", sorted(SMOKE))
def test_generated_images_run_as_an_unprivileged_user(fixture_variants, docker_client, project):
    phase2 = fixture_variants[project][2]
    assert docker_client.images.get(phase2.image_id).attrs["Config"]["User"] == "appuser"


def test_skips_say_why(fixture_variants):
    django = {o.name: o for r in fixture_variants["multistage_django"] for o in r.skipped}
    assert django["multistage"].detail.startswith("already multi-stage")
    assert django["minimal_base"].detail == "the final stage installs Python packages, which needs pip"


def test_compiled_dependency_keeps_its_library_but_not_the_compiler(fixture_variants, docker_client):
    phase1 = fixture_variants["compiled_dep"][1]
    out = docker_client.containers.run(phase1.image_id, ["sh", "-c", "command -v gcc || echo no-gcc; "
                                                         "ls /usr/lib/x86_64-linux-gnu/ | grep -c libpq.so"],
                                       remove=True, entrypoint=[""], labels={"org.dockopt.managed": "true"}).decode()
    assert "no-gcc" in out and int(out.split()[-1]) >= 1
