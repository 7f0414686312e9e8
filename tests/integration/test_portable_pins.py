"""Files a user takes home name no address of this machine, and still build (issue 10, item 3).

On the real engine: ``dockopt optimize`` on a fixture whose bases are built here writes an out folder
in which ``grep -r 127.0.0.1`` finds nothing, phase 3 keeps the bases as written (no registry digest
exists for them) and builds; a project whose base comes from a registry with a port (a registry
this test runs on localhost, Debian's docker-registry) gets that base pinned by exactly the digest
the registry serves, under the name the user wrote.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helpers.engine import buildkit
from helpers.engine.labels import LABEL
from helpers.lint.engine import lint_dockerfile
from helpers.variants import derive_variants

pytestmark = pytest.mark.engine

PREFIX = os.environ.get("DOCKOPT_TEST_PINS_PREFIX", "dockopt-test/pins")
FLASK = Path(__file__).parent.parent / "fixtures" / "projects" / "flask_app"
FLASK_SMOKE = "python -c \"from app import app; print(app.test_client().get('/health').data.decode())\""
ROOT = Path(__file__).resolve().parents[2]


def grep_loopback(folder: Path) -> str:
    """What ``grep -r 127.0.0.1`` finds, as a user would run it ("" when nothing)."""
    proc = subprocess.run(["grep", "-rF", "127.0.0.1", str(folder)], capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def codes(path: Path, context: Path) -> set[str]:
    return {f.code for f in lint_dockerfile(path, context, hadolint=False).findings}


def remove(docker_client, *tags):
    for tag in tags:
        if tag and docker_client.images.list(name=tag):
            docker_client.images.remove(tag)


@pytest.fixture(scope="module")
def optimized_flask(base_images, docker_client, tmp_path_factory):
    """``dockopt optimize`` on the flask fixture, as a user runs it."""
    out = tmp_path_factory.mktemp("flask-out")
    proc = subprocess.run(
        [sys.executable, "-m", "helpers.cli", "optimize", "--context", str(FLASK), "--out", str(out),
         "--smoke", FLASK_SMOKE, "--expect", "ok", "--tag-prefix", PREFIX],
        capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=3600)
    yield out, proc
    from helpers.variants.api import slug

    remove(docker_client, *(f"{PREFIX}/{slug(FLASK)}:{v}" for v in ("original", "phase1", "phase2", "phase3")))


def test_the_out_folder_names_no_address_of_this_machine(optimized_flask):
    out, proc = optimized_flask
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (out / "Dockerfile.phase3").is_file()
    assert grep_loopback(out) == ""


def test_a_base_built_here_stays_as_written_and_the_header_says_how_to_pin(optimized_flask):
    out, proc = optimized_flask
    text = (out / "Dockerfile.phase3").read_text()
    assert "ARG BASE_IMAGE=dockopt/python:3.11-bookworm\n" in text and "FROM ${BASE_IMAGE} AS builder" in text
    assert "@sha256:" not in text.replace("@sha256:<that digest>", "")
    header = next(line for line in text.splitlines() if line.startswith("# - digest_pin"))
    assert header.startswith("# - digest_pin: skipped: kept as written: dockopt/python:3.11-bookworm: the image here "
                             "has no registry digest for docker.io/dockopt/python")
    assert "docker pull IMAGE && docker inspect --format '{{index .RepoDigests 0}}' IMAGE" in header
    assert "skipped  digest_pin: skipped: kept as written" in proc.stdout
    assert "DO302" in codes(out / "Dockerfile.phase3", FLASK)  # honest: the file is not digest-pinned


def test_phase3_as_written_builds_and_passes_its_smoke(optimized_flask, docker_client):
    _, proc = optimized_flask
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("phase3: "))
    assert lines[at].endswith("smoke ok"), proc.stdout
    # Started as it ships: its HEALTHCHECK (a TCP connect to localhost, by name) must report healthy.
    assert lines[at + 1].strip().startswith("starts: its HEALTHCHECK reported healthy"), proc.stdout
    from helpers.variants.api import slug

    assert docker_client.images.get(f"{PREFIX}/{slug(FLASK)}:phase3").attrs["Config"]["User"] == "appuser"


# A user's registry with a port: the pin is the digest that registry serves, under the name written.

@pytest.fixture(scope="module")
def user_registry(tmp_path_factory):
    """Debian's docker-registry on a free localhost port, storage in a temporary folder; stopped after."""
    binary = shutil.which("docker-registry") or shutil.which("registry")
    if binary is None:
        pytest.skip("docker-registry is not installed (apt-get install docker-registry)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = tmp_path_factory.mktemp("registry")
    (root / "config.yml").write_text(f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
                                     f"http:\n  addr: 127.0.0.1:{port}\n")
    proc = subprocess.Popen([binary, "serve", str(root / "config.yml")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(50):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    yield f"localhost:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def pushed_base(user_registry, base_images, docker_client, tmp_path_factory):
    """A base in the user's registry under two names: ``kept`` also tagged in the engine's image store
    (as after ``docker pull``), ``pulled`` only in the registry (BuildKit pulls it into its own store)."""
    ctx = tmp_path_factory.mktemp("base-ctx")
    (ctx / "Dockerfile").write_text(f"FROM dockopt/python:3.11-bookworm\nLABEL {LABEL}=true dockopt.test=portable-pins\n")
    local = f"{PREFIX}/registry-base:1"
    names = {"kept": f"{user_registry}/dockopt-pins/python:3.11", "pulled": f"{user_registry}/dockopt-pins/pulled:3.11"}
    buildkit.build(ctx, ctx / "Dockerfile", local)
    for remote in names.values():
        docker_client.images.get(local).tag(remote)
        push = subprocess.run([buildkit.find_client().path, "push", remote], capture_output=True, text=True,
                              timeout=600)
        assert push.returncode == 0, push.stderr
    docker_client.images.remove(names["pulled"])
    yield names
    remove(docker_client, names["kept"], local)


@pytest.fixture(scope="module", params=["kept", "pulled"])
def from_user_registry(request, pushed_base, docker_client, tmp_path_factory):
    """The flask fixture with its base taken from the user's registry, derived and built."""
    remote = pushed_base[request.param]
    project = tmp_path_factory.mktemp("project") / "flask_app"
    shutil.copytree(FLASK, project)
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("ARG BASE_IMAGE=dockopt/python:3.11-bookworm",
                                                         f"ARG BASE_IMAGE={remote}"))
    out = tmp_path_factory.mktemp("registry-out")
    results = {r.name: r for r in derive_variants(project, dockerfile, out, smoke=FLASK_SMOKE, expect="ok",
                                                  rebuild=False, tag_prefix=f"{PREFIX}-{request.param}")}
    yield request.param, remote, project, out, results
    remove(docker_client, *(r.tag for r in results.values()))


def served_digest(remote: str) -> str:
    """The digest the registry itself serves for the tag (its Docker-Content-Digest header)."""
    host, _, rest = remote.partition("/")
    repo, tag = rest.rsplit(":", 1)
    accept = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"
    req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", method="HEAD", headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.headers["Docker-Content-Digest"]


def test_a_base_from_a_registry_with_a_port_is_pinned_by_the_digest_it_serves(from_user_registry, docker_client):
    how, remote, project, _, results = from_user_registry
    phase3 = results["phase3"]
    froms = [line.split()[1] for line in phase3.text.splitlines() if line.startswith("FROM ") and "@" in line]
    assert froms and set(froms) == {f"{remote}@{served_digest(remote)}"}, phase3.text
    header = next(line for line in phase3.text.splitlines() if line.startswith("# - digest_pin"))
    covers = "a single-platform manifest (linux/amd64): it builds for that platform only"
    if how == "pulled":  # BuildKit pulled it into its own store: the engine's image store still has no such image
        assert not docker_client.images.list(name=remote)
        covers += (f"; what {remote.split('/')[0]} served for {remote} when this file was generated "
                   "(BuildKit pulled it; no local RepoDigest)")
    assert header == f"# - digest_pin [DO302, DO303]: {remote} -> {remote}@{served_digest(remote)}, {covers}"
    assert "DO302" not in codes(phase3.dockerfile, project)
    assert "ARG BASE_IMAGE" not in phase3.text  # the ARG that named the base would undo the pin


def test_the_pinned_phase3_builds_and_names_no_loopback_address(from_user_registry):
    *_, out, results = from_user_registry
    phase3 = results["phase3"]
    assert phase3.ok and phase3.smoke_ok, phase3.error
    assert grep_loopback(out) == ""
