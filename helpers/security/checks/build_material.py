"""Build-time-only material left in the runtime image: trust anchors, caches, sources of the build.

Reported honestly by kind. dockopt's own base images deliberately trust the build host's
extra CA certificates (``/usr/local/share/ca-certificates``, so pip works behind a
TLS-intercepting proxy): those are public certificates, not secrets, and are reported as
info; the private keys the secret check looks for are a different thing. A ``.git``
directory leaks the source history, package caches and the Dockerfile itself only weight
and map the image for an attacker.
"""

from __future__ import annotations

from helpers.image.archive import DIR, FILE
from helpers.security.finding import Finding, Rule

CA_RULE = Rule("SEC013", "extra-ca-certificate", "info",
               "An extra (non-Debian) CA certificate is trusted by the image: public, but it widens what TLS accepts.")
GIT_RULE = Rule("SEC014", "git-directory", "low", "A .git directory ships the project's source history.")
LEFTOVER_RULE = Rule("SEC015", "build-leftover", "info",
                     "A file only the build needed (package cache, Dockerfile, pip cache) is in the runtime image.")

EXTRA_CA_DIR = "/usr/local/share/ca-certificates/"
LEFTOVER_PREFIXES = ("/var/lib/apt/lists/", "/var/cache/apt/archives/", "/root/.cache/pip/")
LEFTOVER_NAMES = ("Dockerfile", ".dockerignore")


def check(facts) -> list[Finding]:
    found = []
    leftovers: dict[str, list[str]] = {}
    for path, placed in sorted(facts.final.items()):
        entry = placed.entry
        if entry.type == FILE and path.startswith(EXTRA_CA_DIR) and path.endswith(".crt"):
            found.append(Finding(CA_RULE.id, CA_RULE.severity,
                                 f"Extra CA certificate {path} is trusted (public certificate, not a secret).",
                                 path=path, layer=placed.layer, line=facts.layer_line(placed.layer),
                                 evidence=f"{entry.size} bytes"))
        elif entry.type == DIR and path.endswith("/.git"):
            found.append(Finding(GIT_RULE.id, GIT_RULE.severity, f"Git directory {path}.", path=path,
                                 layer=placed.layer, line=facts.layer_line(placed.layer)))
        elif entry.type == FILE and (path.startswith(LEFTOVER_PREFIXES) or path.rsplit("/", 1)[-1] in LEFTOVER_NAMES):
            kind = next((p for p in LEFTOVER_PREFIXES if path.startswith(p)), "build files")
            leftovers.setdefault(kind, []).append(path)
    for kind, paths in leftovers.items():
        found.append(Finding(LEFTOVER_RULE.id, LEFTOVER_RULE.severity,
                             f"{len(paths)} build leftover file(s) under {kind}: {', '.join(paths[:5])}"
                             + (" ..." if len(paths) > 5 else ""), path=paths[0],
                             layer=facts.final[paths[0]].layer, line=facts.layer_line(facts.final[paths[0]].layer)))
    return found

RULES = (CA_RULE, GIT_RULE, LEFTOVER_RULE)
