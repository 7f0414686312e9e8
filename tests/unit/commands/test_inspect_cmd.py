import json

from helpers.cli import main
from tests.unit.conftest import TINY_DOCKERFILE


def test_inspect_an_archive_as_json(tiny_tar, capsys):
    assert main(["inspect", str(tiny_tar), "--archive", "--dockerfile", str(TINY_DOCKERFILE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sizes"]["layer_count"] == 6
    assert data["reclaimable_bytes"] == 64 * 1024 + 8 * 1024 + 4281
    assert data["user_uid"] == 1000 and data["healthcheck"]["Test"][0] == "CMD"


def test_inspect_an_archive_as_text(tiny_tar, capsys):
    assert main(["inspect", str(tiny_tar), "--archive", "--no-compressed"]) == 0
    out = capsys.readouterr().out
    assert "files deleted later" in out and "uid 1000" in out
