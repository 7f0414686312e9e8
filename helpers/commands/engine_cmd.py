"""``dockopt engine [info|up]``: show the engine and BuildKit client; ``up`` starts an engine."""

from __future__ import annotations

import json


def run(args) -> int:
    from helpers.engine import connect, daemon, docker_cli

    if args.action == "up":
        print(daemon.ensure_engine())
    info = connect.describe()
    client = docker_cli.find_client()
    data = {**info.as_dict(), "buildkit_client": client.path, "buildkit_mode": client.mode,
            "client_version": client.version}
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        for key, value in data.items():
            print(f"{key:16} {value}")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("engine", help="show the Docker engine and BuildKit client; `up` starts one")
    parser.add_argument("action", nargs="?", choices=["info", "up"], default="info")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)
