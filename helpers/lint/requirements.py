"""Python requirement strings and the manifests that hold them: what is pinned, what is not.

A requirement counts as pinned when it names one exact version (``==1.2.3``, ``===``) or one
artifact (``name @ url``). A constraints file pins whatever it names exactly, which is how the
seed's phase 2 pins a project without touching its pyproject.toml.
"""

from __future__ import annotations

import re
import tomllib

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def split(requirement: str) -> tuple[str, str] | None:
    """(normalized name, specifier) of a requirement string; None for options and paths."""
    text = requirement.split(";", 1)[0].split(" #", 1)[0].strip()
    if not text or text.startswith(("-", "#", ".", "/")) or "://" in text.split("@", 1)[0]:
        return None
    match = REQUIREMENT.match(text)
    return (normalize(match.group(1)), match.group(3).strip()) if match else None


def is_pinned(specifier: str) -> bool:
    if specifier.startswith("@"):
        return True
    exact = re.findall(r"===?\s*([^,\s]+)", specifier)
    return bool(exact) and not any("*" in version for version in exact)


def requirements_file(text: str) -> list[str]:
    """Requirement lines of a requirements/constraints file (options and includes skipped)."""
    lines = []
    for raw in text.replace("\\\n", " ").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            lines.append(line)
    return lines


def pyproject_dependencies(text: str) -> list[str]:
    """[project].dependencies of a pyproject.toml, or Poetry's dependency table as `name<spec>`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    project = data.get("project", {}).get("dependencies")
    if isinstance(project, list):
        return [str(d) for d in project]
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {})
    result = []
    for name, spec in poetry.items() if isinstance(poetry, dict) else ():
        if name.lower() == "python":
            continue
        version = spec.get("version", "") if isinstance(spec, dict) else str(spec)
        exact = version and version[0].isdigit() and "*" not in version
        result.append(f"{name}=={version}" if exact else f"{name}{version}")
    return result


def pinned_names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        parsed = split(requirement)
        if parsed and is_pinned(parsed[1]):
            names.add(parsed[0])
    return names


def unpinned(requirements: list[str], constrained: set[str] | None = None) -> list[str]:
    """Requirements that can resolve to different versions tomorrow, as written."""
    constrained = constrained or set()
    loose = []
    for requirement in requirements:
        parsed = split(requirement)
        if parsed and not is_pinned(parsed[1]) and parsed[0] not in constrained:
            loose.append(requirement.strip())
    return loose
