"""Each check against the planted fixture image: what it must find, and what it must leave alone."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from helpers.image.archive import FILE, Entry
from helpers.measure import build_tools as measured_tools
from helpers.measure.replay import Placed
from helpers.security.checks import (CHECKS, base_pin, build_material, build_tools, exposed_ports, healthcheck,
                                     root_user, secrets, setuid, world_writable)
from helpers.security.finding import NotApplicable


def by_path(findings):
    return {f.path: f for f in findings}


def test_every_check_is_registered_once_with_unique_rule_ids():
    ids = [rule.id for module in CHECKS for rule in module.RULES]
    assert len(CHECKS) == len(set(CHECKS)) == 9
    assert len(ids) == len(set(ids))


def test_root_user_reports_unset_user_with_the_measured_uid(planted_facts):
    planted_facts.runtime_uid, planted_facts.runtime_note = 0, "measured"
    [finding] = root_user.check(planted_facts)
    assert finding.rule == "SEC001" and "Config.User=''" in finding.evidence and "uid 0" in finding.evidence


def test_root_user_catches_a_non_root_config_that_still_ran_as_root(planted_facts):
    planted_facts.config["config"]["User"] = "app"
    planted_facts.runtime_uid = 0
    assert "ran as uid 0" in root_user.check(planted_facts)[0].message
    planted_facts.runtime_uid = 1000
    assert root_user.check(planted_facts) == []


@pytest.mark.parametrize("user, root", [("", True), ("root", True), ("0", True), ("0:0", True), ("root:app", True),
                                        ("1000", False), ("app", False), ("1000:0", False)])
def test_configured_root_spellings(user, root):
    assert root_user.configured_root(user) is root


def test_setuid_finds_the_planted_binary_with_its_layer_and_line(planted_facts):
    found = by_path(setuid.check(planted_facts))
    finding = found["/usr/local/bin/planted-suid"]
    assert "setuid" in finding.message and finding.evidence == "mode 4755"
    assert finding.line == 12  # the RUN that chmods it
    assert "/bin/busybox" not in found


def test_world_writable_flags_the_planted_dir_and_lists_sticky_tmp_apart(planted_facts):
    found = world_writable.check(planted_facts)
    assert [f.path for f in found if f.rule == "SEC003"] == ["/srv/uploads"]
    [sticky] = [f for f in found if f.rule == "SEC004"]
    assert "/tmp" in sticky.message and sticky.severity == "info"


def test_build_tools_and_package_managers(planted_facts):
    found = by_path(build_tools.check(planted_facts))
    assert found["/usr/bin/gcc"].rule == "SEC005" and found["/usr/local/bin/pip"].rule == "SEC006"
    assert "/bin/busybox" not in found


@pytest.mark.parametrize("name, kind", [("gcc", "compiler"), ("x86_64-linux-gnu-gcc-12", "compiler"), ("cc", "compiler"),
                                        ("g++", "compiler"), ("cmake", "build system"), ("make", "build system"),
                                        ("pip3.11", "package manager"), ("apt-get", "package manager"),
                                        ("gcc-ar", None), ("python3", None), ("makeinfo", None)])
def test_build_tool_names(name, kind):
    hit = build_tools.classify(name)
    assert (hit[0] if hit else None) == kind


# Every name either view knows, on every directory either view searches, and a few that are neither.
NAMES = sorted({n for names in measured_tools.BUILD_TOOLS.values() for n in names}
               | {"x86_64-linux-gnu-gcc-12", "cmake-3.25", "ld.gold", "git", "pip3.11", "apt-get",
                  "gcc-ar", "makeinfo", "python3", "busybox"})
DIRS = [*measured_tools.BIN_DIRS, "/opt/venv/bin", "/app/.venv/bin", "/opt/conda/bin", "/usr/lib/gcc",
        "/usr/share/doc", "/srv/app"]


def test_the_measurement_and_the_security_check_agree_on_every_build_tool():
    """One knowledge base: a file the layer table counts as a build tool is a SEC005 finding, and
    the reverse (git is SEC005 as version control, not a build tool; package managers are SEC006)."""
    final = {f"{d}/{n}": Placed(0, Entry(f"{d}/{n}", FILE, 10, 0o755, 0, 0, "")) for d in DIRS for n in NAMES}
    measured = set(measured_tools.tool_binaries(final))
    facts = SimpleNamespace(final=final, resolve=lambda path: final.get(path), layer_line=lambda layer: None)
    flagged = {f.path for f in build_tools.check(facts) if f.rule == "SEC005" and not f.message.startswith("version")}
    assert measured == flagged
    assert "/opt/venv/bin/cmake" in measured and "/usr/bin/ld.gold" in measured and "/usr/share/doc/gcc" not in measured


def test_secrets_finds_the_key_deleted_in_a_later_layer(planted_facts):
    [key] = [f for f in secrets.check(planted_facts) if f.path == "/root/.ssh/id_ed25519"]
    assert key.severity == "critical" and key.deleted_later and "private key" in key.message
    assert key.line == 18 and planted_facts.image.layers[key.layer].history.created_by.count("printf")


def test_secrets_finds_dotenv_aws_key_env_token_and_supplied_build_secret(planted_facts):
    found = secrets.check(planted_facts)
    messages = " | ".join(f.message for f in found)
    assert any(f.rule == "SEC008" and f.path == "/app/.env" for f in found)
    assert "AWS access key id in /app/.env" in messages
    assert "ENV API_TOKEN" in messages and "GitHub token" in messages
    assert "supplied build secret in /app/config.ini" in messages
    assert all("ghp_0123" not in f.evidence for f in found)  # evidence is redacted


def test_secrets_ignores_public_certificates_and_plain_files(planted_facts):
    flagged = {f.path for f in secrets.check(planted_facts)}
    assert "/usr/local/share/ca-certificates/build-proxy.crt" not in flagged
    assert "/opt/venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA" not in flagged


@pytest.mark.parametrize("text, hits", [
    (b"-----BEGIN RSA " + b"PRIVATE KEY-----\nabc", ["private key"]),
    (b"-----BEGIN CERTIFICATE-----", []),
    (b"key = AKIAIOSFODNN7EXAMPLE", ["AWS access key id"]),
    (b"GITHUB_TOKEN=ghp_" + b"a" * 36, ["GitHub token", "token/secret assignment"]),
    (b"export SLACK_TOKEN=xoxb-123456", ["token/secret assignment"]),
    (b"API_TOKEN=${API_TOKEN}", []),
    (b"API_TOKEN=", []),
    (b"token = os.environ['TOKEN']", []),
])
def test_secret_patterns(text, hits):
    assert secrets.matches(text) == hits


@pytest.mark.parametrize("text", [
    b"-----BEGIN OPENSSH " + b"PRIVATE KEY-----", b"-----BEGIN " + b"PRIVATE KEY-----", b"ASIA" + b"Q" * 16,
    b"x gho_" + b"b" * 36, b"github_pat_" + b"c" * 30, b"MY_SECRET=abcdef1", b"DB_PASSWORD=hunter22",
    b"  export OPENAI_API_KEY=sk-abcdef", b"AKIA" + b"0" * 16 + b" and -----BEGIN EC " + b"PRIVATE KEY-----",
])
def test_the_literal_looked_for_first_never_hides_a_match(text):
    """Each pattern's literals are in every string it matches: with them or without, the same hits."""
    regex_alone = [what for what, _, pattern in secrets.PATTERNS if pattern.search(text)]
    assert regex_alone and secrets.matches(text) == regex_alone
    for what, literals, pattern in secrets.PATTERNS:
        found = pattern.search(text)
        assert not found or any(literal in found.group(0) for literal in literals), what


@pytest.mark.parametrize("dockerfile, unpinned", [
    ("FROM debian:bookworm\n", ["debian:bookworm"]),
    ("FROM debian@sha256:" + "a" * 64 + "\n", []),
    ("ARG B=x\nARG D\nFROM ${B}@${D} AS build\nFROM build\n", []),
    ("ARG B=x\nARG D=latest\nFROM ${B}@${D}\n", ["${B}@${D}"]),
    ("FROM scratch\n", []),
    ("FROM --platform=linux/amd64 python:3.11 AS b\nFROM b\nFROM alpine\n", ["python:3.11", "alpine"]),
])
def test_base_pin_from_lines(planted_facts, dockerfile, unpinned):
    planted_facts.dockerfile = dockerfile
    assert [f.message.split()[1] for f in base_pin.check(planted_facts)] == unpinned


def test_base_pin_resolves_digest_args_from_build_args(planted_facts):
    planted_facts.dockerfile = "ARG B\nARG D\nFROM ${B}@${D}\n"
    planted_facts.build_args = {"B": "127.0.0.1:5959/py", "D": "sha256:" + "b" * 64}
    assert base_pin.check(planted_facts) == []
    planted_facts.build_args = {"D": "latest"}
    assert len(base_pin.check(planted_facts)) == 1


def test_base_pin_without_a_dockerfile_is_not_applicable_rather_than_clean(planted_facts):
    planted_facts.dockerfile = None
    with pytest.raises(NotApplicable):
        base_pin.check(planted_facts)


def test_healthcheck_ports_and_build_material(planted_facts):
    assert [f.rule for f in healthcheck.check(planted_facts)] == ["SEC010"]
    ports = {f.evidence: f for f in exposed_ports.check(planted_facts)}
    assert ports["22/tcp"].rule == "SEC012" and ports["8080/tcp"].severity == "info"
    [ca] = [f for f in build_material.check(planted_facts) if f.rule == "SEC013"]
    assert ca.severity == "info" and "not a secret" in ca.message
    planted_facts.config["config"]["Healthcheck"] = {"Test": ["CMD", "true"]}
    assert healthcheck.check(planted_facts) == []


@pytest.mark.parametrize("path, library", [
    ("/usr/local/lib/python3.11/site-packages/cryptography/hazmat/primitives/serialization/ssh.py", True),
    ("/usr/local/lib/python3.11/site-packages/cryptography/hazmat/primitives/serialization/__pycache__/"
     "ssh.cpython-311.pyc", True),
    ("/opt/venv/lib/python3.11/site-packages/httpx/tests/fixtures/server.key", True),
    ("/usr/lib/python3/dist-packages/certifi/tests/key.pem", True),
    ("/app/node_modules/ssh2/test/fixtures/id_rsa", True),
    ("/usr/local/lib/python3.11/test/keycert.pem", True),
    ("/app/id_rsa", False),
    ("/app/tests/fixtures/server.key", False),  # the app's own tree: its key ships with it
    ("/root/.ssh/id_ed25519", False),
    ("/home/app/.ssh/id_rsa", False),
    ("/etc/ssl/private/server.key", False),
])
def test_library_trees(path, library):
    assert secrets.in_library(path) is library


PEM = b"-----BEGIN OPENSSH " + b"PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"


def _facts_with(files: dict[str, bytes], supplied: tuple[str, ...] = ()):
    """Synthesised facts: one layer holding ``files`` (as the image walk yields them)."""
    from types import SimpleNamespace

    from helpers.image.archive import FILE, Entry

    layer = SimpleNamespace(index=0)
    entries = [Entry(path, FILE, len(data), 0o644, 0, 0, data=data) for path, data in files.items()]
    image = SimpleNamespace(history=[], walk=lambda want=None: [(layer, e) for e in entries if not want or want(e)])
    final = {path: SimpleNamespace(layer=0) for path in files}
    return SimpleNamespace(container_config={}, image=image, secrets=supplied, final=final,
                           final_stage_line=lambda keyword: None, layer_line=lambda index: 3)


def test_library_key_material_is_info_with_its_path_and_does_not_grade_f():
    from helpers.security.score import score

    ssh_py = "/usr/local/lib/python3.11/site-packages/cryptography/hazmat/primitives/serialization/ssh.py"
    pyc = ssh_py.replace("ssh.py", "__pycache__/ssh.cpython-311.pyc")
    fixture = "/usr/local/lib/python3.11/site-packages/aiohttp/tests/sample.key"
    found = secrets.check(_facts_with({ssh_py: b"_SK_START = " + PEM, pyc: b"\x00" + PEM, fixture: PEM}))
    assert {(f.rule, f.severity, f.path) for f in found} == {
        ("SEC017", "info", ssh_py), ("SEC017", "info", pyc), ("SEC017", "info", fixture)}
    assert all("installed library" in f.message and f.path in f.message for f in found)
    points, grade, _ = score(found)
    assert (points, grade) == (100, "A")


@pytest.mark.parametrize("path", ["/app/deploy_key.pem", "/root/.ssh/id_rsa", "/etc/app/server.key",
                                  "/home/app/.ssh/id_ed25519"])
def test_a_key_that_ships_as_a_credential_stays_critical(path):
    [finding] = secrets.check(_facts_with({path: PEM}))
    assert (finding.rule, finding.severity) == ("SEC007", "critical")


def test_a_supplied_build_secret_is_critical_even_inside_a_library():
    path = "/usr/local/lib/python3.11/site-packages/pkg/config.py"
    found = secrets.check(_facts_with({path: b"x = 's3cr3t-value-9'\n" + PEM}, supplied=("s3cr3t-value-9",)))
    assert {(f.rule, f.severity) for f in found} == {("SEC007", "critical"), ("SEC017", "info")}
    [leak] = [f for f in found if f.rule == "SEC007"]
    assert "supplied build secret" in leak.message and "private key" not in leak.message
