"""The fleet file: which projects, where their contexts are, and how each one is built and run.

```yaml
history: fleet-history        # optional: folder of per-engine history files (default OUT/history)
repeats: 1                    # optional: default --repeats for every project
projects:
  - name: api
    context: services/api     # relative to this file's folder
    dockerfile: services/api/Dockerfile   # default: CONTEXT/Dockerfile
    smoke: "python -c 'import app'"
    run_env: {DATABASE_URL: "sqlite://"}  # or a list of KEY=VALUE
    run_args: ["--port", "8080"]
    build_args: {PIP_INDEX_URL: "..."}
    phase1: services/api/Dockerfile.phase1  # optional, also phase2, phase3
```

A mistake names the file and the line (YAML's own marks), never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from helpers.errors import DockoptError

PROJECT_KEYS = {"name", "context", "dockerfile", "smoke", "run_env", "run_args", "build_args", "code_file",
                "dependency_file", "base_image", "phase1", "phase2", "phase3", "phases", "repeats"}
TOP_KEYS = {"projects", "history", "repeats"}


@dataclass
class ProjectSpec:
    name: str
    context: Path
    dockerfile: Path
    line: int  # where the entry starts in the fleet file, for messages
    smoke: str = ""
    run_env: dict[str, str] = field(default_factory=dict)
    run_args: list[str] = field(default_factory=list)
    build_args: dict[str, str] = field(default_factory=dict)
    code_file: str = ""
    dependency_file: str = ""
    base_image: str = ""
    phase_files: dict[str, Path] = field(default_factory=dict)  # phase1..3 -> the user's Dockerfile
    phases: list[str] = field(default_factory=list)  # subset of the report's notebooks ([] = all)
    repeats: int | None = None

    @property
    def slug(self) -> str:
        """The project's folder under the fleet's output (safe as a path and a URL)."""
        return re.sub(r"[^a-z0-9._-]+", "-", self.name.lower()).strip("-.") or "project"


@dataclass
class FleetConfig:
    path: Path
    projects: list[ProjectSpec]
    history: Path | None = None
    repeats: int | None = None


class FleetFileError(DockoptError):
    """The fleet file cannot be used as written."""


def _where(path: Path, node) -> str:
    return f"{path}, line {node.start_mark.line + 1}"


def _scalar(path: Path, node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise FleetFileError(f"{_where(path, node)}: {what} must be a single value.")
    return str(node.value)


def _pairs(path: Path, node, what: str) -> dict[str, str]:
    """A mapping, or a list of KEY=VALUE strings, into {KEY: VALUE}."""
    if isinstance(node, yaml.MappingNode):
        return {_scalar(path, k, what): _scalar(path, v, what) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        out = {}
        for item in node.value:
            key, eq, value = _scalar(path, item, what).partition("=")
            if not eq or not key:
                raise FleetFileError(f"{_where(path, item)}: {what} entry {item.value!r} is not KEY=VALUE.")
            out[key] = value
        return out
    raise FleetFileError(f"{_where(path, node)}: {what} must be a mapping or a list of KEY=VALUE.")


def _words(path: Path, node, what: str) -> list[str]:
    if isinstance(node, yaml.SequenceNode):
        return [_scalar(path, item, what) for item in node.value]
    import shlex

    return shlex.split(_scalar(path, node, what))


def _int(path: Path, node, what: str) -> int:
    text = _scalar(path, node, what)
    if not text.isdigit() or int(text) < 1:
        raise FleetFileError(f"{_where(path, node)}: {what} must be a whole number of at least 1, not {text!r}.")
    return int(text)


def _file(path: Path, node, base: Path, what: str, directory: bool = False) -> Path:
    target = (base / _scalar(path, node, what)).resolve()
    if directory and not target.is_dir():
        raise FleetFileError(f"{_where(path, node)}: {what} {target} is not a directory.")
    if not directory and not target.is_file():
        raise FleetFileError(f"{_where(path, node)}: {what} {target} does not exist.")
    return target


def _project(path: Path, node, base: Path) -> ProjectSpec:
    if not isinstance(node, yaml.MappingNode):
        raise FleetFileError(f"{_where(path, node)}: each project must be a mapping (name:, context:, ...).")
    values = {}
    for key_node, value_node in node.value:
        key = _scalar(path, key_node, "a key")
        if key not in PROJECT_KEYS:
            raise FleetFileError(f"{_where(path, key_node)}: unknown project key {key!r}.",
                                 hint=f"known keys: {', '.join(sorted(PROJECT_KEYS))}.")
        values[key] = value_node
    if "context" not in values:
        raise FleetFileError(f"{_where(path, node)}: the project has no context: (its build context folder).")
    context = _file(path, values["context"], base, "context", directory=True)
    dockerfile = (_file(path, values["dockerfile"], base, "dockerfile") if "dockerfile" in values
                  else context / "Dockerfile")
    if not dockerfile.is_file():
        raise FleetFileError(f"{_where(path, node)}: {dockerfile} does not exist.", hint="add dockerfile: PATH.")
    spec = ProjectSpec(name=_scalar(path, values["name"], "name") if "name" in values else context.name,
                       context=context, dockerfile=dockerfile, line=node.start_mark.line + 1)
    for key in ("smoke", "code_file", "dependency_file", "base_image"):
        if key in values:
            setattr(spec, key, _scalar(path, values[key], key))
    if "run_env" in values:
        spec.run_env = _pairs(path, values["run_env"], "run_env")
    if "build_args" in values:
        spec.build_args = _pairs(path, values["build_args"], "build_args")
    if "run_args" in values:
        spec.run_args = _words(path, values["run_args"], "run_args")
    if "phases" in values:
        spec.phases = _words(path, values["phases"], "phases") if isinstance(values["phases"], yaml.SequenceNode) \
            else [p for p in _scalar(path, values["phases"], "phases").split(",") if p]
    if "repeats" in values:
        spec.repeats = _int(path, values["repeats"], "repeats")
    for phase in ("phase1", "phase2", "phase3"):
        if phase in values:
            spec.phase_files[phase] = _file(path, values[phase], base, phase)
    return spec


def load(path: Path | str) -> FleetConfig:
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FleetFileError(f"Cannot read the fleet file {path}: {exc.strerror}.") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark else str(path)
        raise FleetFileError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}.") from None
    if not isinstance(root, yaml.MappingNode):
        raise FleetFileError(f"{path}: the fleet file must be a mapping with a projects: list.")
    top = {}
    for key_node, value_node in root.value:
        key = _scalar(path, key_node, "a key")
        if key not in TOP_KEYS:
            raise FleetFileError(f"{_where(path, key_node)}: unknown key {key!r}.",
                                 hint=f"known keys: {', '.join(sorted(TOP_KEYS))}.")
        top[key] = value_node
    if "projects" not in top or not isinstance(top["projects"], yaml.SequenceNode) or not top["projects"].value:
        raise FleetFileError(f"{path}: the fleet file needs a non-empty projects: list.")
    base = path.parent
    projects = [_project(path, node, base) for node in top["projects"].value]
    seen: dict[str, ProjectSpec] = {}
    for spec in projects:
        if spec.slug in seen:
            raise FleetFileError(f"{path}, line {spec.line}: project {spec.name!r} has the same folder name "
                                 f"({spec.slug}) as the one on line {seen[spec.slug].line}.",
                                 hint="give each project a distinct name:.")
        seen[spec.slug] = spec
    history = (base / _scalar(path, top["history"], "history")).resolve() if "history" in top else None
    repeats = _int(path, top["repeats"], "repeats") if "repeats" in top else None
    return FleetConfig(path, projects, history, repeats)
