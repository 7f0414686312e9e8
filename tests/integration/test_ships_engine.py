"""Images started as they ship, judged on the real engine: every verdict the check can give."""

from __future__ import annotations

import textwrap

import pytest

from helpers.engine import buildkit, containers, ships
from helpers.engine.base_images import PYTHON_TAG
from helpers.engine.containers import RunOptions

PREFIX = "dockopt-test/ships"
APP = textwrap.dedent("""\
    import os, pathlib, sys, time
    if os.environ.get("NEED") and not os.environ.get(os.environ["NEED"]):
        sys.exit(f"config error: {os.environ['NEED']} is not set")
    pathlib.Path("logs").mkdir(exist_ok=True)
    pathlib.Path("logs/app.log").write_text("started\\n")
    print("app started", flush=True)
    time.sleep(3600)
    """)
IMAGES = {
    "oneshot": 'CMD ["python", "-c", "print(\'done\')"]',
    "crash": 'CMD ["python", "-c", "import sys; print(\'cannot start: missing config\'); sys.exit(3)"]',
    "server": 'EXPOSE 8000\nCMD ["python", "-m", "http.server", "8000"]',
    "deaf": 'EXPOSE 8000\nCMD ["sleep", "3600"]',
    "healthy": 'HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-c", "import sys; sys.exit(0)"]\n'
               'CMD ["sleep", "3600"]',
    "unhealthy": 'HEALTHCHECK --interval=30s --timeout=5s --retries=2 CMD ["sh", "-c", "echo probe says no; exit 1"]\n'
                 'CMD ["sleep", "3600"]',
    # An entrypoint that ignores its arguments and starts the app, as real images' boot scripts do.
    "entrypoint": 'RUN printf \'#!/bin/sh\\nexec python -m http.server 8000\\n\' > /boot.sh && chmod +x /boot.sh\n'
                  'EXPOSE 8000\nENTRYPOINT ["/boot.sh"]',
    "writes": 'COPY app.py /srv/app.py\nCMD ["python", "/srv/app.py"]',
    # The same app as a user that cannot write its working directory: the failure a non-root transform must avoid.
    "readonly": 'COPY app.py /srv/app.py\nRUN useradd --uid 1000 appuser\nUSER appuser\nCMD ["python", "/srv/app.py"]',
}


@pytest.fixture(scope="session")
def image(engine, base_images, tmp_path_factory):
    built: dict[str, str] = {}

    def get(name: str) -> str:
        if name not in built:
            ctx = tmp_path_factory.mktemp(f"ships-{name}")
            (ctx / "app.py").write_text(APP)
            (ctx / "Dockerfile").write_text(f"FROM {PYTHON_TAG}\nWORKDIR /srv\n{IMAGES[name]}\n")
            result = buildkit.build(ctx, ctx / "Dockerfile", f"{PREFIX}:{name}")
            built[name] = result.image_id
        return built[name]

    return get


def test_a_one_shot_command_that_exits_0_passes(image):
    check = ships.check(image("oneshot"))
    assert (check.state, check.ok, check.exit_code) == ("exited 0", True, 0)
    assert "done" in check.log_tail


def test_a_command_that_exits_non_zero_fails_with_its_log(image):
    check = ships.check(image("crash"))
    assert (check.state, check.ok) == ("exited 3", False)
    assert "missing config" in check.log_tail


def test_a_server_passes_when_its_exposed_port_accepts_connections(image):
    check = ships.check(image("server"))
    assert (check.state, check.ok) == ("listening", True), check
    assert check.uid == 0


def test_an_exposed_port_nobody_listens_on_fails(image):
    check = ships.check(image("deaf"), timeout_s=4)
    assert (check.state, check.ok) == ("not listening", False), check


def test_healthcheck_verdicts_come_from_the_images_own_probe(image):
    good = ships.check(image("healthy"))
    assert (good.state, good.ok) == ("healthy", True), good
    assert good.seconds < 20  # the 30 s interval is shortened, and the shown command says so
    assert "--health-interval=2s" in good.command
    bad = ships.check(image("unhealthy"))
    assert (bad.state, bad.ok) == ("unhealthy", False), bad
    assert "probe says no" in bad.how


def test_a_command_of_ours_is_not_handed_to_the_entrypoint(image):
    result = containers.run(image("entrypoint"), ["id", "-u"], timeout_s=30)
    assert result.ok and result.output.strip() == "0"
    assert result.seconds < 15  # the entrypoint would have started a server and never returned
    assert "--entrypoint ''" in result.shown and result.shown.endswith("id -u")


def test_the_entrypoint_is_kept_when_the_image_is_started_as_it_ships(image):
    check = ships.check(image("entrypoint"))
    assert (check.state, check.ok) == ("listening", True), check
    assert "--entrypoint" not in check.command


def test_what_the_app_writes_at_start_is_read_from_docker_diff(image):
    check = ships.check(image("writes"))
    assert check.ok and check.state == "running", check
    assert {"/srv/logs", "/srv/logs/app.log"} <= set(check.writes)


def test_a_user_who_cannot_write_where_the_app_writes_fails_with_the_permission_error(image):
    check = ships.check(image("readonly"))
    assert not check.ok and check.state == "exited 1", check
    assert "PermissionError" in check.log_tail
    assert check.uid in (None, 1000)


def test_run_env_and_run_args_are_passed_and_shown(image):
    options = RunOptions({"NEED": "SECRET_KEY"})
    assert not ships.check(image("writes"), options).ok
    options = RunOptions({"NEED": "SECRET_KEY", "SECRET_KEY": "x y"})
    check = ships.check(image("writes"), options)
    assert check.ok, check
    assert check.command == f"docker run --rm -e NEED=SECRET_KEY -e 'SECRET_KEY=x y' {image('writes')}"
    args = ships.check(image("oneshot"), RunOptions(args=["python", "-c", "print('from args')"]))
    assert args.ok and "from args" in args.log_tail
    assert args.command.endswith("python -c 'print('\"'\"'from args'\"'\"')'")


def test_no_container_is_left_behind(engine, image):
    from helpers.engine.labels import LABEL

    ships.check(image("oneshot"))
    ships.check(image("deaf"), timeout_s=2)
    left = engine.containers.list(all=True, filters={"label": LABEL, "ancestor": image("deaf")})
    assert not left
