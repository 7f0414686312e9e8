"""Debian's control-file format (RFC-822-like stanzas), as dpkg status and Packages indexes use it.

Only what dockopt reads: one dict per stanza, continuation lines folded into the field they
continue (descriptions are not needed, but must not break the parse).
"""

from __future__ import annotations

from collections.abc import Iterator


def stanzas(text: str) -> Iterator[dict[str, str]]:
    current: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.strip():
            if current:
                yield current
            current, last = {}, None
        elif line.startswith("#"):
            continue  # deb822 comments (apt's .sources files use them)
        elif line[0] in " \t":
            if last is not None:
                current[last] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            last = key.strip()
            current[last] = value.strip()
    if current:
        yield current


def source_of(stanza: dict[str, str]) -> tuple[str, str]:
    """(source package, source version): ``Source: name (version)``, or the binary's own."""
    name, version = stanza["Package"], stanza.get("Version", "")
    source = stanza.get("Source", "")
    if not source:
        return name, version
    src_name, _, rest = source.partition(" ")
    return src_name, rest.strip("() ") or version
