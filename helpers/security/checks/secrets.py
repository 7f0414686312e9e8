"""Secrets baked into the image: in any layer, in the config's ENV, or in the build history.

Every layer is read, not just the final filesystem: a key written in one RUN and deleted in
the next is still in the first layer's tar, and ``docker save`` hands it to anyone with the
image. Files are read when their name says "credential" (keys, ``.env``, ``.netrc``...) or
when they are small text outside the trees Debian packages own (``/usr/lib``, ``/usr/share``,
...). Patterns: PEM private keys, AWS access key ids, GitHub tokens, ``*_TOKEN=``/``*_SECRET=``
assignments, and any build-secret value the caller supplies.
"""

from __future__ import annotations

import posixpath
import re

from helpers.imagefs import FILE, Entry
from helpers.security.finding import Finding, Rule

RULE = Rule("SEC007", "secret", "critical", "A private key, token or credential is stored in the image.")
DOTENV_RULE = Rule("SEC008", "dotenv-file", "high", "A .env file is stored in the image (often holds credentials).")

MAX_SCAN_BYTES = 1 << 20  # larger files are data (weights, archives), not configuration
MAX_NAMED_BYTES = 4 << 20
PACKAGE_TREES = ("/usr/lib/", "/usr/share/", "/usr/include/", "/usr/libexec/", "/lib/", "/var/lib/dpkg/",
                 "/var/cache/", "/var/lib/apt/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/proc/", "/sys/")
CREDENTIAL_NAMES = re.compile(
    r"^(id_(rsa|dsa|ecdsa|ed25519)|.*\.(pem|key|p12|pfx|jks|keystore)|\.env(\..+)?|.*\.env|\.netrc|\.pypirc|\.npmrc"
    r"|\.git-credentials|credentials(\.json)?|\.dockercfg|secrets?\.(ya?ml|json|toml))$", re.I)
PATTERNS = (  # (what, regex over bytes)
    ("private key", re.compile(rb"-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----")),
    ("AWS access key id", re.compile(rb"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(rb"\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b")),
    ("token/secret assignment",
     re.compile(rb"(?m)^\s*(?:export\s+)?[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|API_KEY)[A-Z0-9_]*=(?![\s$'\"{]*$)(?!\$)[^\s]{6,}")),
)
ENV_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)", re.I)


def is_dotenv(path: str) -> bool:
    base = posixpath.basename(path)
    return (base == ".env" or base.startswith(".env.") or base.endswith(".env")) and not base.endswith(
        (".example", ".sample", ".template"))


def worth_reading(entry: Entry) -> bool:
    """Which files to read: named like a credential, or small and outside package-owned trees."""
    if entry.type != FILE:
        return False
    if CREDENTIAL_NAMES.match(posixpath.basename(entry.path)):
        return entry.size <= MAX_NAMED_BYTES
    return 0 < entry.size <= MAX_SCAN_BYTES and not entry.path.startswith(PACKAGE_TREES)


def matches(data: bytes, secrets: tuple[str, ...] = ()) -> list[str]:
    """What in ``data`` looks like a secret (names of patterns, never the values themselves)."""
    hits = [what for what, pattern in PATTERNS if pattern.search(data)]
    hits += ["supplied build secret" for value in secrets if value and value.encode() in data]
    return hits


def redact(value: str) -> str:
    return value[:4] + "..." if len(value) > 8 else "***"


def _config_findings(facts) -> list[Finding]:
    found = []
    line = facts.final_stage_line("ENV")
    for item in facts.container_config.get("Env") or []:
        name, _, value = item.partition("=")
        hits = matches(value.encode(), facts.secrets)
        if value and ENV_NAME.search(name):
            hits.append(f"credential-like variable name {name}")
        if hits:
            found.append(Finding(RULE.id, RULE.severity, f"ENV {name} holds a secret ({', '.join(hits)}).",
                                 line=line, evidence=f"{name}={redact(value)} in the image config"))
    for entry in facts.image.history if facts.image else []:
        hits = matches(entry.created_by.encode(), facts.secrets)
        if hits:
            found.append(Finding(RULE.id, RULE.severity,
                                 f"Build history entry {entry.index} holds a secret ({', '.join(hits)}).",
                                 evidence="visible to anyone with `docker history --no-trunc`"))
    return found


def check(facts) -> list[Finding]:
    found = _config_findings(facts)
    if facts.image is None:
        return found
    for layer, entry in facts.image.walk(want=worth_reading):
        if entry.type != FILE:
            continue
        placed = facts.final.get(entry.path)
        hidden = placed is None or placed.layer != layer.index
        where = (f"deleted or replaced by a later layer, still stored in layer {layer.index}" if hidden
                 else f"visible, stored in layer {layer.index}")
        line = facts.layer_line(layer.index)
        if is_dotenv(entry.path):
            found.append(Finding(DOTENV_RULE.id, DOTENV_RULE.severity, f".env file {entry.path} ({where}).",
                                 path=entry.path, layer=layer.index, line=line, evidence=f"{entry.size} bytes",
                                 deleted_later=hidden))
        hits = matches(entry.data or b"", facts.secrets)
        if hits:
            found.append(Finding(RULE.id, RULE.severity, f"{', '.join(hits)} in {entry.path} ({where}).",
                                 path=entry.path, layer=layer.index, line=line,
                                 evidence=f"{entry.size} bytes, mode {entry.mode & 0o7777:04o}", deleted_later=hidden))
    return found

RULES = (RULE, DOTENV_RULE)
