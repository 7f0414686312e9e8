"""Image names: readable, valid, and never shared by two projects whose folders have the same name."""

import re

from helpers.builds import image_names
from helpers.project import Project
from helpers.variants.api import slug

REPO_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")


def test_two_projects_named_alike_get_different_names(tmp_path):
    a, b = tmp_path / "one" / "app", tmp_path / "two" / "app"
    a.mkdir(parents=True), b.mkdir(parents=True)
    assert image_names.context_slug(a) != image_names.context_slug(b)
    assert image_names.context_slug(a).startswith("app-")
    assert slug(a) != slug(b)  # dockopt optimize's tags


def test_the_name_is_stable_and_a_valid_repository_component(tmp_path):
    odd = tmp_path / "My Project (v2)!"
    odd.mkdir()
    name = image_names.context_slug(odd)
    assert name == image_names.context_slug(tmp_path / "." / "My Project (v2)!")  # the resolved path counts
    assert REPO_COMPONENT.fullmatch(name), name
    assert re.fullmatch(r"my-project-v2-[0-9a-f]{8}", name)
    assert REPO_COMPONENT.fullmatch(image_names.context_slug(tmp_path / "---"))


def test_report_tags_of_two_projects_never_collide(tmp_path):
    tags = []
    for parent in ("one", "two"):
        ctx = tmp_path / parent / "src"
        ctx.mkdir(parents=True)
        (ctx / "Dockerfile").write_text("FROM scratch\n")
        tags.append(Project.from_parameters(context=str(ctx), run_id="r").tag("phase1"))
    assert tags[0] != tags[1]
    assert all(re.fullmatch(r"dockopt-report/src-[0-9a-f]{8}:phase1", t) for t in tags), tags
