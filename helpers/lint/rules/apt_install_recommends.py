"""DO503: apt-get install pulling in recommended packages nobody asked for."""

from __future__ import annotations

from helpers.lint.queries import command_lines, runs
from helpers.lint.rule import found
from helpers.lint.shell import apt_install_packages

CODE = "DO503"
SEVERITY = "info"
CATEGORY = "image-size"
TITLE = "apt-get install without --no-install-recommends"
WHY = ("Debian installs 'Recommends' by default: for build-essential and friends that is often 100+ MB "
       "of documentation, man pages and optional tools.")
FIX = "apt-get install -y --no-install-recommends <packages>."
OFF = ("--no-install-recommends", "APT::Install-Recommends=false", "APT::Install-Recommends=0")


def check(model, context):
    for run in runs(model.stages):
        for argv, line in command_lines(model, run):
            packages = apt_install_packages(argv)
            if packages and not any(off in " ".join(argv) for off in OFF):
                yield found(__name__, model, line, f"installs {', '.join(packages)} with recommends")
                break
