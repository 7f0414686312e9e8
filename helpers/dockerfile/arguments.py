"""ARG values and ``$VAR`` references, read the way BuildKit reads them in FROM lines.

The model resolves its stages' bases with these; the build's base list
(:mod:`helpers.dockerfile.steps`), the security check on digest pins and the transforms'
editable view use the same functions, so a base means one thing everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ARG_REF = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def arg_values(items: Iterable[str]) -> dict[str, str | None]:
    """``NAME=value`` / ``NAME`` words of ARG instructions as a dict (None: declared without a value).

    The parser hands values back as written; BuildKit removes one pair of surrounding quotes.
    """
    values: dict[str, str | None] = {}
    for item in items:
        key, has_value, value = item.partition("=")
        values[key] = _unquote(value) if has_value else None
    return values


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def substitute(text: str, args: dict[str, str | None]) -> str:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR:-default}`` and ``${VAR:+alt}`` where VAR has a value."""

    def repl(match: re.Match) -> str:
        name = match.group(1) or match.group(4)
        op, word = match.group(2), match.group(3)
        value = args.get(name)
        if op and op.endswith("-"):
            return value if value else word
        if op and op.endswith("+"):
            return word if value else ""
        return value if value is not None else match.group(0)

    return ARG_REF.sub(repl, text)


def expand(text: str, args: dict[str, str | None]) -> str:
    """:func:`substitute` as a build does it: a name with no value expands to ""."""
    names = {m.group(1) or m.group(4) for m in ARG_REF.finditer(text)}
    return substitute(text, {name: args.get(name) or "" for name in names})
