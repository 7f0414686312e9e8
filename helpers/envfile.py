"""Read the pip requirements out of environment.yml, the project's single dependency list.

Runs on a bare interpreter (``make setup`` calls it before anything is installed), so it
reads the small, fixed shape of our environment.yml itself rather than needing PyYAML:
``dependencies:`` with a ``- pip:`` entry holding ``- name==version`` lines.
"""

from __future__ import annotations

import sys
from pathlib import Path


def pip_requirements(text: str) -> list[str]:
    reqs: list[str] = []
    in_deps = in_pip = False
    pip_indent = -1
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        stripped = line.strip()
        if indent == 0:
            in_deps = stripped == "dependencies:"
            in_pip = False
            continue
        if in_deps and stripped in ("- pip:", "-  pip:"):
            in_pip, pip_indent = True, indent
            continue
        if in_pip:
            if indent <= pip_indent:
                in_pip = False
            elif stripped.startswith("- "):
                reqs.append(stripped[2:].strip())
    if not reqs:
        raise ValueError("environment.yml has no `- pip:` list under `dependencies:`")
    return reqs


def main(argv: list[str]) -> int:
    path = Path(argv[1] if len(argv) > 1 else "environment.yml")
    try:
        print("\n".join(pip_requirements(path.read_text())))
    except (OSError, ValueError) as exc:
        print(f"dockopt: error: cannot read pip requirements from {path}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
