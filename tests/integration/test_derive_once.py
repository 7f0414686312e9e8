"""A render derives the phase variants once: the first notebook builds and starts them, every
later notebook (a new Project from the same parameters, as each kernel makes) reuses them.

Counted with the render's own bookkeeping (``helpers.report.render_split``): the first derivation
records builds and runtime checks, the second records none and gives the same Dockerfiles.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers.report import render_split
from helpers.project import Project

pytestmark = pytest.mark.engine

FLASK = Path(__file__).resolve().parents[1] / "fixtures" / "projects" / "flask_app"


def kinds(history: Path, render_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for category, _, _ in render_split.rows(history, render_id):
        counts[category] = counts.get(category, 0) + 1
    return counts


def test_a_render_derives_once(engine, tmp_path, monkeypatch):
    context = tmp_path / "overhead-derive-once"
    shutil.copytree(FLASK, context)
    history = tmp_path / "history.sqlite"
    render_id = render_split.start(history)
    try:
        first = Project.from_parameters(str(context), history=str(history))
        assert first.available() == ["original", "phase1", "phase2", "phase3"]
        after_first = kinds(history, render_id)
        second = Project.from_parameters(str(context), history=str(history))
        assert second.available() == first.available()
        after_second = kinds(history, render_id)
    finally:
        render_split.stop()
        for image in engine.images.list():
            for tag in image.tags:
                if tag.startswith("dockopt-variants/overhead-derive-once"):  # the slug may carry a digest
                    engine.images.remove(tag, force=True)
    assert after_first.get(render_split.BUILDS, 0) >= 4 and after_first.get(render_split.RUNTIME, 0) >= 4
    new = {k: after_second.get(k, 0) - after_first.get(k, 0) for k in after_second}
    assert new.get(render_split.BUILDS, 0) == 0 and new.get(render_split.RUNTIME, 0) == 0
    for phase in ("phase1", "phase2", "phase3"):
        assert second.dockerfile_for(phase) == first.dockerfile_for(phase)
        assert second.variant_source[phase] == first.variant_source[phase] == "derived"
    assert {r.name: r.text for r in second.derived} == {r.name: r.text for r in first.derived}


def test_a_changed_dockerfile_derives_again(tmp_path):
    """The key follows the content: an edited Dockerfile is a new derivation (no engine needed)."""
    context = tmp_path / "ctx"
    shutil.copytree(FLASK, context)
    project = Project.from_parameters(str(context), history=str(tmp_path / "h.sqlite"))
    before = project.derivation_key()
    (context / "Dockerfile").write_text((context / "Dockerfile").read_text() + "\n# edited\n")
    assert Project.from_parameters(str(context), history=str(tmp_path / "h.sqlite")).derivation_key() != before
