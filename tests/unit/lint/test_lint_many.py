"""`dockopt lint PATH...`: which files are found, which context each gets, and one run for all of them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from helpers.cli import main
from helpers.lint import lint_dockerfile
from helpers.lint.batch import lint_targets, plan_batches
from helpers.lint.discover import DiscoveryError, discover, is_dockerfile_name
from helpers.lint.hadolint import find_binary, finish_batch, start_batch

APT = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"
PIP = "FROM python:3.11\nCOPY . .\nRUN pip install -r requirements.txt\n"


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.mark.parametrize("name,found", [
    ("Dockerfile", True), ("Dockerfile.dev", True), ("api.Dockerfile", True), ("dev.dockerfile", True),
    ("Containerfile", True), ("dockerfile", True),
    ("Dockerfile.dockerignore", False), ("api.Dockerfile.dockerignore", False), ("dockerfile.py", False),
    ("Dockerfile.", False), ("mydockerfile", False)])
def test_which_names_are_dockerfiles(name, found):
    assert is_dockerfile_name(name) is found


def test_gitignore_is_honoured_inside_and_outside_a_repository(tmp_path):
    files = {"Dockerfile": APT, "svc/api.Dockerfile": APT, "svc/Dockerfile.dockerignore": "x\n",
             "build/Dockerfile": APT, ".gitignore": "build/\n", "node_modules/x/Dockerfile": APT}
    outside = tree(tmp_path / "plain", {**files, ".gitignore": "build/\nnode_modules/\n"})
    found = discover([outside])
    assert sorted(t.dockerfile.relative_to(outside).as_posix() for t in found.targets) == ["Dockerfile",
                                                                                          "svc/api.Dockerfile"]
    assert found.gitignore == "git (outside a repository)"
    assert not (outside / ".git").exists()  # git's answer, without making the folder a repository
    repo = tree(tmp_path / "repo", files)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    found = discover([repo])
    assert found.gitignore == "git"
    assert {t.dockerfile.relative_to(repo).as_posix() for t in found.targets} == {
        "Dockerfile", "svc/api.Dockerfile", "node_modules/x/Dockerfile"}


def test_context_is_the_files_folder_unless_dockopt_toml_maps_it(tmp_path):
    root = tree(tmp_path, {
        "app/Dockerfile": APT, "docker/prod.Dockerfile": PIP, "docker/prod.Dockerfile.dockerignore": ".git\n",
        "broken/Dockerfile": "FROM a:1\n", "app/.dockerignore": "tests\n",
        ".dockopt.toml": '[lint]\nexclude = ["broken"]\n\n[[lint.files]]\ndockerfile = "docker/*.Dockerfile"\n'
                         'context = "app"\n'})
    found = discover([root])
    by_name = {t.dockerfile.name: t for t in found.targets}
    assert set(by_name) == {"Dockerfile", "prod.Dockerfile"} and found.excluded == [root / "broken" / "Dockerfile"]
    assert by_name["Dockerfile"].context == root / "app" and by_name["Dockerfile"].mapped_by is None
    prod = by_name["prod.Dockerfile"]
    assert prod.context.resolve() == (root / "app").resolve() and prod.mapped_by == root / ".dockopt.toml"
    assert prod.ignore_file.name == "prod.Dockerfile.dockerignore"  # beside the Dockerfile wins, as in BuildKit
    assert by_name["Dockerfile"].ignore_file == root / "app" / ".dockerignore"


def test_a_wrong_mapping_names_the_file_and_entry(tmp_path):
    tree(tmp_path, {"Dockerfile": APT, ".dockopt.toml": '[[lint.files]]\ndockerfile = "Dockerfile"\ncontext = "nope"\n'})
    with pytest.raises(DiscoveryError, match=r"\.dockopt\.toml: \[\[lint\.files\]\] entry 1: context nope"):
        discover([tmp_path])
    with pytest.raises(DiscoveryError, match="no such file"):
        discover([tmp_path / "missing"])


def test_every_file_gets_the_findings_a_one_file_lint_gives(tmp_path):
    root = tree(tmp_path, {"a/Dockerfile": APT, "b/Dockerfile": PIP, "b/requirements.txt": "flask\n",
                           "c/x.Dockerfile": APT + "USER 1000\nRUN pip install flask\n"})
    targets = discover([root]).targets
    batch = lint_targets(targets, jobs=2)
    assert len(batch.hadolint_batches) == 2 and not batch.errors
    for result, target in zip(batch.results, targets):
        alone = lint_dockerfile(target.dockerfile, context=target.context)
        assert result.findings == alone.findings, target.dockerfile
        assert any(f.code.startswith("DL") for f in result.findings)  # hadolint's share reached each file


def test_plan_keeps_files_with_their_own_hadolint_config_apart(tmp_path):
    root = tree(tmp_path, {"a/Dockerfile": APT, "b/Dockerfile": APT, "c/Dockerfile": APT, "d/Dockerfile": APT,
                           "d/.hadolint.yaml": "ignored: [DL3008]\n"})
    files = sorted(root.glob("*/Dockerfile"))
    plan = plan_batches(files, 2)
    assert [(cwd, [f.parent.name for f in chunk]) for cwd, chunk in plan if cwd == root / "d"] == [(root / "d", ["d"])]
    assert sorted(f.parent.name for _, chunk in plan for f in chunk) == ["a", "b", "c", "d"]
    batch = lint_targets(discover([root]).targets, jobs=2)
    codes = {r.dockerfile.parent.name: r.codes() for r in batch.results}
    assert "DL3008" in codes["a"] and "DL3008" not in codes["d"]  # d's .hadolint.yaml applied, as alone


def test_a_file_hadolint_cannot_read_fails_alone(tmp_path):
    good = tree(tmp_path, {"Dockerfile": APT}) / "Dockerfile"
    binary = find_binary()
    batch = finish_batch(binary, start_batch(binary, 0, [good.resolve(), tmp_path / "gone"], tmp_path))
    assert {i["code"] for i in batch.items[str(good.resolve())]} >= {"DL3008"}
    assert "gone" in batch.items[f"error:{tmp_path / 'gone'}"][0]["error"]


def test_cli_one_document_one_sarif_run_and_exit_codes(tmp_path, capsys):
    root = tree(tmp_path, {"a/Dockerfile": APT, "b/Dockerfile": PIP, "b/.dockerignore": ".git\n"})
    assert main(["lint", str(root), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["files"] == 2 and [Path(f["dockerfile"]).parent.name for f in doc["files"]] == ["a", "b"]
    assert doc["files"][1]["ignore_file"].endswith("b/.dockerignore") and doc["hadolint"]["batches"]
    assert main(["lint", str(root / "a"), str(root / "b"), "--format", "sarif", "--fail-on", "never"]) == 0
    [run] = json.loads(capsys.readouterr().out)["runs"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].split("/")[-2]
            for r in run["results"]} == {"a", "b"}
    assert run["invocations"][0]["executionSuccessful"] is True
    (root / "c").mkdir()
    (root / "c" / "Dockerfile").write_bytes(b"FROM a\x00")
    assert main(["lint", str(root), "--summary"]) == 2  # one unreadable file: the others still reported
    out = capsys.readouterr().out
    assert "could not lint" in out and "c/Dockerfile:1: not a text file" in out and "a/Dockerfile" in out
    assert main(["lint", str(root), "--context", str(root)]) == 2
    assert "--context applies to one Dockerfile" in capsys.readouterr().err


def test_one_file_keeps_the_one_file_output(tmp_path, capsys):
    root = tree(tmp_path, {"a/Dockerfile": APT})
    assert main(["lint", str(root / "a" / "Dockerfile"), "--format", "json"]) == 1
    one = json.loads(capsys.readouterr().out)
    assert main(["lint", str(root), "--format", "json"]) == 1  # a folder holding one Dockerfile: the same
    assert json.loads(capsys.readouterr().out)["findings"] == one["findings"] and "files" not in one


def test_a_folder_named_on_the_command_line_is_searched_even_if_its_repository_ignores_it(tmp_path):
    repo = tree(tmp_path, {".gitignore": "work/\n", "work/a/Dockerfile": APT, "work/.gitignore": "skip/\n",
                           "work/skip/Dockerfile": APT})
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert discover([repo]).targets == []
    found = discover([repo / "work"])
    assert [t.dockerfile.relative_to(repo).as_posix() for t in found.targets] == ["work/a/Dockerfile"]


def test_a_dockopt_toml_with_both_settings_and_a_mapping_is_read_by_both(tmp_path):
    root = tree(tmp_path, {"Dockerfile": APT, "ctx/x": "1",
                           ".dockopt.toml": '[lint]\ndisable = ["DO601"]\nexclude = []\n\n[[lint.files]]\n'
                                            'dockerfile = "Dockerfile"\ncontext = "ctx"\n'})
    [target] = discover([root]).targets
    assert target.context.resolve() == (root / "ctx").resolve()
    result = lint_dockerfile(target.dockerfile, context=target.context)
    assert "DO601" not in result.codes() and result.config.source == root / ".dockopt.toml"


def test_dockerfiles_sharing_a_context_and_ignore_file_share_one_walk_of_it(tmp_path, monkeypatch):
    import helpers.lint.lint_context as lint_context

    root = tree(tmp_path, {"Dockerfile": APT, "dev.Dockerfile": APT, "prod.Dockerfile": APT,
                           "prod.Dockerfile.dockerignore": ".git\n", "tests/t.py": "x"})
    walks = []
    real = lint_context.scan_context
    monkeypatch.setattr(lint_context, "scan_context", lambda *a: walks.append(a) or real(*a))
    batch = lint_targets(discover([root]).targets, hadolint=False)
    assert len(walks) == 2  # the context's .dockerignore-less walk, and prod's own ignore file
    assert {r.dockerfile.name: "DO601" in r.codes() for r in batch.results} == {
        "Dockerfile": True, "dev.Dockerfile": True, "prod.Dockerfile": False}


def test_no_path_lints_the_current_folder(tmp_path, capsys, monkeypatch):
    tree(tmp_path, {"a/Dockerfile": APT, "b/Containerfile": PIP})
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--format", "json", "--no-hadolint"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [f["dockerfile"] for f in doc["files"]] == ["a/Dockerfile", "b/Containerfile"]  # as found, relative
    assert doc["files"][0]["context"] == "a" and doc["hadolint"]["batches"] == []


def test_a_symlinked_dockerfile_gets_hadolints_findings_once(tmp_path):
    root = tree(tmp_path, {"Dockerfile.prod": APT})
    (root / "Dockerfile").symlink_to("Dockerfile.prod")
    batch = lint_targets(discover([root]).targets)
    assert len(batch.results) == 2
    for result in batch.results:
        assert [f.code for f in result.findings].count("DL3008") == 1


def test_a_second_lint_takes_hadolints_findings_from_its_cache_and_finds_the_same(tmp_path):
    root = tree(tmp_path, {"a/Dockerfile": APT, "b/Dockerfile": PIP, "c/Dockerfile": APT + "RUN cd /tmp\n"})
    first = lint_targets(discover([root]).targets, cache=True)
    assert first.hadolint_batches and first.hadolint_cached == 0
    again = lint_targets(discover([root]).targets, cache=True)
    assert again.hadolint_batches == [] and again.hadolint_cached == 3
    assert [r.findings for r in again.results] == [r.findings for r in first.results]
    assert all(r.hadolint.cached and not r.hadolint.error for r in again.results)
    assert {"DL3008", "DL3003"} <= again.results[2].codes()  # hadolint's own, from the cache


def test_a_changed_file_or_hadolint_config_is_run_again(tmp_path):
    root = tree(tmp_path, {"a/Dockerfile": APT, "b/Dockerfile": APT, "c/Dockerfile": APT})
    lint_targets(discover([root]).targets, cache=True)
    (root / "a" / "Dockerfile").write_text(APT + "RUN cd /tmp\n")
    (root / "b" / ".hadolint.yaml").write_text("ignored: [DL3008]\n")
    again = lint_targets(discover([root]).targets, cache=True)
    assert again.hadolint_cached == 1 and sum(b["files"] for b in again.hadolint_batches) == 2
    codes = {r.dockerfile.parent.name: r.codes() for r in again.results}
    assert "DL3003" in codes["a"] and "DL3008" not in codes["b"] and "DL3008" in codes["c"]


def test_no_cache_neither_reads_nor_writes_it(tmp_path, capsys):
    root = tree(tmp_path / "p", {"a/Dockerfile": APT, "b/Dockerfile": PIP})
    folder = Path(os.environ["XDG_CACHE_HOME"]) / "dockopt" / "hadolint"
    assert main(["lint", str(root), "--format", "json", "--no-cache"]) == 1
    assert not folder.exists() and json.loads(capsys.readouterr().out)["hadolint"]["cached_files"] == 0
    assert main(["lint", str(root), "--format", "json"]) == 1  # the default stores
    assert len(list(folder.glob("*/*.json"))) == 2 and json.loads(capsys.readouterr().out)["hadolint"]["batches"]
    assert main(["lint", str(root), "--format", "json", "--no-cache"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["hadolint"]["cached_files"] == 0 and doc["hadolint"]["batches"]
    assert main(["lint", str(root), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["hadolint"] == {"version": doc["hadolint"]["version"],
                                                               "batches": [], "cached_files": 2}
