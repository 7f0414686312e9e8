"""How a page shows text and paths: verbatim, escaped, and the same on every machine and clone."""

from __future__ import annotations

from helpers.paths import ROOT


class Text(str):
    """Plain text that notebooks and HTML show verbatim (escaped), whatever it contains."""

    def _repr_html_(self) -> str:
        import html

        return f"<pre style='white-space:pre-wrap'>{html.escape(str(self))}</pre>"

    def __repr__(self) -> str:
        return str(self)


def relative_paths(text: str) -> str:
    """Paths inside this checkout shown relative to it: the same on every machine and clone."""
    return str(text).replace(f"{ROOT}/", "")


def shown_path(path) -> str:
    """A path as a reader wants it: relative to this checkout when inside it (stable across machines)."""
    if path is None:
        return ""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)
