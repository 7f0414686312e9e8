"""Tiny projects for fleet tests and the fleet bench: dockopt's Python base, nothing installed.

Each project has its Dockerfile and its own phase files (a fleet file's ``phase1``..``phase3``),
hand-written, so what is measured is the fleet (every notebook of ``dockopt report``), not
dockopt's derivation of variants for a one-line app.
"""

from __future__ import annotations

from pathlib import Path

from helpers.engine import base_images

BASES = (base_images.PYTHON_TAG, base_images.MINIMAL_TAG, base_images.ROOTFS_TAG)
# Phase 3 also builds for linux/arm64 on these; an engine without them makes them under emulation
# (minutes), so a new pool member gets them from the main engine when it has them.
_ARM64 = base_images.tags_for("arm64")
ARM64_BASES = (_ARM64.python, _ARM64.minimal, _ARM64.rootfs)


def bases_to_load(cli) -> list[str]:
    """The base images a tiny fleet needs that the main engine ``cli`` has (the amd64 ones must exist)."""
    import docker.errors

    for tag in BASES:
        cli.images.get(tag)  # built by `make base`; fails loudly if not
    present = []
    for tag in ARM64_BASES:
        try:
            cli.images.get(tag)
            present.append(tag)
        except docker.errors.ImageNotFound:
            pass
    return [*BASES, *present]

DOCKERFILES = {
    "Dockerfile": f"""FROM {base_images.PYTHON_TAG}
WORKDIR /app
COPY . .
RUN pip install --no-index -r requirements.txt
CMD ["python3", "app.py"]
""",
    "Dockerfile.phase1": f"""# Phase 1: manifest before source, only what the image needs is sent
FROM {base_images.PYTHON_TAG}
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-index -r requirements.txt
COPY app.py ./
CMD ["python3", "app.py"]
""",
    "Dockerfile.phase2": f"""# Phase 2: pip cache mount, non-root user
FROM {base_images.PYTHON_TAG}
WORKDIR /app
COPY requirements.txt ./
RUN --mount=type=cache,target=/root/.cache/pip pip install --no-index -r requirements.txt
COPY app.py ./
USER 1000
CMD ["python3", "app.py"]
""",
    "Dockerfile.phase3": f"""# Phase 3: the minimal base (interpreter and standard library only)
FROM {base_images.MINIMAL_TAG}
WORKDIR /app
COPY app.py ./
USER 1000
CMD ["python3", "app.py"]
""",
}


def tiny_project(root: Path, name: str) -> Path:
    ctx = root / name
    ctx.mkdir(parents=True)
    for file, text in DOCKERFILES.items():
        (ctx / file).write_text(text)
    (ctx / "Dockerfile.phase1.dockerignore").write_text("Dockerfile*\n")
    (ctx / "requirements.txt").write_text("# no dependencies: the build stays tiny\n")
    (ctx / "app.py").write_text(f"print('hello from {name}')\n")
    return ctx


def write_fleet(root: Path, names, repeats: int = 1, salt: str = "") -> Path:
    """A fleet file with one tiny project per name (``salt`` changes every app.py: no shared cache)."""
    lines = [f"repeats: {repeats}", "projects:"]
    for name in names:
        ctx = tiny_project(root, name)
        if salt:
            (ctx / "app.py").write_text((ctx / "app.py").read_text() + f"# {salt}\n")
        lines += [f"  - name: {name}", f"    context: {name}", "    smoke: python3 app.py"]
        lines += [f"    phase{n}: {name}/Dockerfile.phase{n}" for n in (1, 2, 3)]
    (root / "fleet.yaml").write_text("\n".join(lines) + "\n")
    return root / "fleet.yaml"
