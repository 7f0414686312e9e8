"""The options that say how to build and start a project's images, shared by ``report`` and ``optimize``.

``--build-arg KEY=VALUE`` (repeatable) for every build; ``--run-env KEY=VALUE`` (repeatable)
set in every container of the app; ``--run-arg ARG`` (repeatable) the arguments given to the
image's ENTRYPOINT instead of its CMD. Notebooks take them as text (``KEY=VALUE`` lines and
shell words), which is what ``as_lines`` and ``as_words`` give.
"""

from __future__ import annotations

import shlex

from helpers.errors import DockoptError


def register(parser) -> None:
    parser.add_argument("--build-arg", action="append", default=[], metavar="KEY=VALUE",
                        help="build argument for every variant's build (repeatable)")
    parser.add_argument("--run-env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment variable set in every container of the app (repeatable)")
    parser.add_argument("--run-arg", action="append", default=[], metavar="ARG",
                        help="argument given to the image's ENTRYPOINT instead of its CMD (repeatable)")


def pairs(values: list[str], flag: str) -> dict[str, str]:
    """``KEY=VALUE`` strings as a dict; anything else is a clear error naming the flag."""
    out = {}
    for value in values or []:
        key, eq, rest = value.partition("=")
        if not eq or not key or "\n" in value:
            raise DockoptError(f"{flag} {value!r} is not KEY=VALUE.", hint=f"pass {flag} NAME=value, once per pair.")
        out[key] = rest
    return out


def as_lines(values: list[str], flag: str) -> str:
    """The notebook parameter form: one ``KEY=VALUE`` per line (checked first)."""
    return "\n".join(f"{k}={v}" for k, v in pairs(values, flag).items())


def as_words(values: list[str]) -> str:
    """The notebook parameter form of an argument list: shell words, quoted so they split back the same."""
    return shlex.join(values or [])
