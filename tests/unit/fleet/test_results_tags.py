"""The fleet reads a project's numbers by the tag its report gave it: one definition, the Project's."""

from helpers.fleet.results import report_tag
from helpers.project import Project


def test_report_tag_is_the_projects_own_tag(tmp_path):
    for folder in ("a/app", "b/app"):  # two projects whose folders share a name never share a tag
        ctx = tmp_path / folder
        ctx.mkdir(parents=True)
        (ctx / "Dockerfile").write_text("FROM scratch\n")
        project = Project.from_parameters(context=str(ctx), name="app")
        assert report_tag("app", ctx, "original") == project.tag("original")
    assert report_tag("app", tmp_path / "a/app", "x") != report_tag("app", tmp_path / "b/app", "x")
