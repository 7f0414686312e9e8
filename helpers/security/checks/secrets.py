"""Secrets baked into the image: in any layer, in the config's ENV, or in the build history.

Every layer is read, not just the final filesystem: a key written in one RUN and deleted in
the next is still in the first layer's tar, and ``docker save`` hands it to anyone with the
image. Files are read when their name says "credential" (keys, ``.env``, ``.netrc``...) or
when they are small text outside the trees Debian packages own (``/usr/lib``, ``/usr/share``,
...). Patterns: PEM private keys, AWS access key ids, GitHub tokens, ``*_TOKEN=``/``*_SECRET=``
assignments, and any build-secret value the caller supplies.

Key material inside an installed library (``site-packages``/``dist-packages``/``node_modules``
or a Python standard library tree, its ``tests/`` fixtures and ``.pyc`` files included) is the
library's source or test data: ``cryptography``'s ``ssh.py`` holds the PEM markers it parses,
and test suites ship throw-away keys. It is listed as info with its path (SEC017), never as a
leaked credential. A key anywhere else (the app's directory, a home, /etc, /root) stays
critical, and a build secret the caller supplied is critical wherever it is found.
"""

from __future__ import annotations

import posixpath
import re

from helpers.image.archive import FILE, Entry
from helpers.security.finding import Finding, Rule

RULE = Rule("SEC007", "secret", "critical", "A private key, token or credential is stored in the image.")
LIBRARY_RULE = Rule("SEC017", "library-key-material", "info",
                    "Key material inside an installed library's source or test fixtures (not this image's "
                    "credential).")
DOTENV_RULE = Rule("SEC008", "dotenv-file", "high", "A .env file is stored in the image (often holds credentials).")

MAX_SCAN_BYTES = 1 << 20  # larger files are data (weights, archives), not configuration
MAX_NAMED_BYTES = 4 << 20
PACKAGE_TREES = ("/usr/lib/", "/usr/share/", "/usr/include/", "/usr/libexec/", "/lib/", "/var/lib/dpkg/",
                 "/var/cache/", "/var/lib/apt/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/proc/", "/sys/")
CREDENTIAL_NAMES = re.compile(
    r"^(id_(rsa|dsa|ecdsa|ed25519)|.*\.(pem|key|p12|pfx|jks|keystore)|\.env(\..+)?|.*\.env|\.netrc|\.pypirc|\.npmrc"
    r"|\.git-credentials|credentials(\.json)?|\.dockercfg|secrets?\.(ya?ml|json|toml))$", re.I)
PATTERNS = (  # (what, literals any match must contain, regex over bytes)
    ("private key", (b"PRIVATE KEY",),
     re.compile(rb"-----BEGIN ((RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----")),
    ("AWS access key id", (b"AKIA", b"ASIA"), re.compile(rb"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_", b"github_pat_"),
     re.compile(rb"\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b")),
    ("token/secret assignment", (b"TOKEN", b"SECRET", b"PASSWORD", b"API_KEY"),
     re.compile(rb"(?m)^\s*(?:export\s+)?[A-Z0-9_]*(?:TOKEN|SECRET|PASSWORD|API_KEY)[A-Z0-9_]*=(?![\s$'\"{]*$)(?!\$)[^\s]{6,}")),
)
# Trees that hold installed libraries; anything below them belongs to a distribution, not to the app.
LIBRARY_TREE = re.compile(r"/(site-packages|dist-packages|node_modules)/|/lib/python\d+(\.\d+)?/")
SUPPLIED = "supplied build secret"
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
    # a literal every match contains is looked for first (a byte search, ~50x a regex's speed over
    # the 30,000 files of a Python image): the regex runs only where it could match
    hits = [what for what, literals, pattern in PATTERNS
            if any(literal in data for literal in literals) and pattern.search(data)]
    hits += [SUPPLIED for value in secrets if value and value.encode() in data]
    return hits


def in_library(path: str) -> bool:
    """Whether ``path`` lies inside an installed library's tree (its source, tests and .pyc alike)."""
    return bool(LIBRARY_TREE.search(path))


def file_finding(path: str, hits: list[str], layer: int, line: int | None, where: str, evidence: str,
                 hidden: bool) -> list[Finding]:
    """The finding(s) for secret-looking ``hits`` in one stored file.

    Inside a library tree the pattern hits are that library's key material (info, SEC017); a
    supplied build secret is critical wherever it is.
    """
    library = [h for h in hits if h != SUPPLIED] if in_library(path) else []
    leaked = [h for h in hits if h not in library]
    found = []
    if leaked:
        found.append(Finding(RULE.id, RULE.severity, f"{', '.join(leaked)} in {path} ({where}).", path=path,
                             layer=layer, line=line, evidence=evidence, deleted_later=hidden))
    if library:
        found.append(Finding(LIBRARY_RULE.id, LIBRARY_RULE.severity,
                             f"{', '.join(library)} in {path}: part of an installed library's source or test "
                             f"fixtures, not a credential of this image ({where}).", path=path, layer=layer,
                             line=line, evidence=evidence, deleted_later=hidden))
    return found


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
        hits = matches(entry.data or b"", facts.secrets)
        if not hits and not is_dotenv(entry.path):
            continue
        line = facts.layer_line(layer.index)
        if is_dotenv(entry.path):
            found.append(Finding(DOTENV_RULE.id, DOTENV_RULE.severity, f".env file {entry.path} ({where}).",
                                 path=entry.path, layer=layer.index, line=line, evidence=f"{entry.size} bytes",
                                 deleted_later=hidden))
        if hits:
            found += file_finding(entry.path, hits, layer.index, line, where,
                                  f"{entry.size} bytes, mode {entry.mode & 0o7777:04o}", hidden)
    return found


RULES = (RULE, DOTENV_RULE, LIBRARY_RULE)
