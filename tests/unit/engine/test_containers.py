import pytest

from helpers.engine import containers
from helpers.engine.containers import parse_proc_status_uid

STATUS = "Name:\tpython\nState:\tS (sleeping)\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n"


def test_real_uid_from_proc_status():
    assert parse_proc_status_uid(STATUS) == 1000
    assert parse_proc_status_uid(STATUS.replace("1000", "0")) == 0


def test_no_uid_line():
    assert parse_proc_status_uid("OCI runtime exec failed") is None


@pytest.mark.parametrize("command, expect, exit_code, output, ok", [
    ("python -c 'import app'", None, 0, "", True),
    ("python -c 'import app'", None, 1, "ImportError", False),
    (["app", "--check"], "app ok", 0, "starting\napp ok\n", True),
    (["app", "--check"], "app ok", 0, "starting\n", False),  # exit 0 but not the expected text
    (["app", "--check"], "app ok", None, "app ok", False),  # outlived its timeout
])
def test_one_smoke_judgement(monkeypatch, command, expect, exit_code, output, ok):
    """The report, `optimize` and the platform builds all judge a smoke command here."""
    ran = []

    def fake_run(image, argv, timeout_s=120, cli=None, **kwargs):
        ran.append((image, argv, timeout_s))
        return containers.RunResult(exit_code, output, 0.1, containers.shown_command(image, argv))

    monkeypatch.setattr(containers, "run", fake_run)
    result = containers.smoke("img", command, expect)
    assert result.ok is ok and result.exit_code == exit_code and result.output == output
    assert ran == [("img", ["python", "-c", "import app"] if isinstance(command, str) else command,
                    containers.SMOKE_TIMEOUT_S)]
    assert result.shown.startswith("docker run --rm --entrypoint '' img ")


def test_the_shown_line_states_the_entrypoint_override_and_the_users_env():
    options = containers.RunOptions({"KEY": "a b"})
    assert containers.shown_command("img", ["cat", "/proc/self/status"], options=options) == \
        "docker run --rm --entrypoint '' -e 'KEY=a b' img cat /proc/self/status"
    assert containers.shown_command("img", [], ["cat", "/proc/self/status"]) == \
        "docker run --rm --entrypoint cat img /proc/self/status"
