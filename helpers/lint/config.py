"""Per-project lint settings: which rules run and how severe each is.

Looked up where a project already keeps its settings, first found wins: an explicit file,
``.dockopt.toml`` beside the Dockerfile (a ``[lint]`` table), then ``[tool.dockopt.lint]`` in the
context's or the Dockerfile directory's ``pyproject.toml``::

    [tool.dockopt.lint]
    disable = ["DO603", "DL3008"]      # rule codes, ours or hadolint's
    enable = []                         # if non-empty: only these run
    severity = { DO302 = "error" }      # override a rule's severity
    large_file_mb = 10                  # what counts as a large file / baked-in model
    hadolint = true                     # run hadolint as a second source

A ``.dockopt.toml``'s ``[lint]`` may also hold ``exclude`` and ``[[lint.files]]`` (which Dockerfiles a
folder lint finds, and with which context): ``helpers.lint.discover`` reads those.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from helpers.errors import DockoptError
from helpers.lint.finding import SEVERITIES

KEYS = {"disable", "enable", "severity", "large_file_mb", "hadolint"}
FILE_SET_KEYS = {"files", "exclude"}  # which Dockerfiles and contexts: read by helpers.lint.discover


class ConfigError(DockoptError):
    """A dockopt lint config file exists but says something dockopt cannot follow."""


@dataclass(frozen=True)
class LintConfig:
    disable: frozenset[str] = frozenset()
    enable: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    large_file_mb: float = 10.0
    hadolint: bool = True
    source: Path | None = None  # the file these settings came from, for the report

    @property
    def large_file_bytes(self) -> int:
        return int(self.large_file_mb * 1024 * 1024)

    def runs(self, code: str) -> bool:
        return code not in self.disable and (not self.enable or code in self.enable)


def _table(path: Path, keys: tuple[str, ...]) -> dict | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", hint="fix the file or remove it") from exc
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def from_table(table: dict, source: Path | None = None) -> LintConfig:
    where = source or "lint config"
    unknown = set(table) - KEYS - FILE_SET_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown lint setting(s) {', '.join(sorted(unknown))}",
                          hint=f"known settings: {', '.join(sorted(KEYS))}")
    severity = {str(k).upper(): str(v).lower() for k, v in dict(table.get("severity", {})).items()}
    bad = {k: v for k, v in severity.items() if v not in SEVERITIES}
    if bad:
        raise ConfigError(f"{where}: severity {bad} is not one of {', '.join(SEVERITIES)}")
    try:
        return LintConfig(
            disable=frozenset(str(c).upper() for c in table.get("disable", [])),
            enable=frozenset(str(c).upper() for c in table.get("enable", [])),
            severity=severity,
            large_file_mb=float(table.get("large_file_mb", 10.0)),
            hadolint=bool(table.get("hadolint", True)),
            source=source,
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


def load_config(dockerfile: Path, context_dir: Path | None, explicit: Path | None = None) -> LintConfig:
    """The settings that apply to this Dockerfile; defaults when no file has any."""
    if explicit is not None:
        table = _table(Path(explicit), ("tool", "dockopt", "lint")) or _table(Path(explicit), ("lint",))
        return from_table(table or {}, Path(explicit))
    candidates = [(Path(dockerfile).parent / ".dockopt.toml", ("lint",))]
    for directory in dict.fromkeys(d for d in (context_dir, Path(dockerfile).parent) if d is not None):
        candidates.append((Path(directory) / "pyproject.toml", ("tool", "dockopt", "lint")))
    for path, keys in candidates:
        if path.is_file():
            table = _table(path, keys)
            if table is not None:
                return from_table(table, path)
    return LintConfig()
