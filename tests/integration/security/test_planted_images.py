"""Plant each problem in a small Debian image and prove the scan finds it; prove a clean image is not flagged.

Both images are built once per session (FROM the registry-free base) under ``dockopt-security/``
tags, scanned through the public API (``scan_image``: docker save + one labelled container for
the real uid), and removed at the end.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.engine

BASE = "dockopt/debian:bookworm-minbase"
TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
BUILD_SECRET = "integration-build-secret-7f3a"

DIRTY = f"""FROM {BASE}
RUN cp /bin/true /usr/local/bin/planted-suid && chmod 4755 /usr/local/bin/planted-suid
RUN mkdir -p /root/.ssh && K=PRIVATE && printf -- "-----BEGIN RSA $K KEY-----\\nZmFrZQ==\\n-----END RSA $K KEY-----\\n" > /root/.ssh/id_rsa
RUN rm /root/.ssh/id_rsa
RUN mkdir -p /srv/drop && chmod 0777 /srv/drop && echo "db={BUILD_SECRET}" > /etc/app.conf
ENV SERVICE_TOKEN={TOKEN}
CMD ["sleep", "infinity"]
"""

CLEAN = f"""FROM {BASE}
RUN find / -xdev -perm /6000 -type f -exec chmod a-s {{}} + \\
 && useradd --uid 1000 --no-create-home app
USER 1000
HEALTHCHECK --interval=5s CMD ["true"]
CMD ["sleep", "infinity"]
"""


# Key material as libraries ship it: cryptography's ssh.py (PEM markers it parses), its .pyc, and a
# distribution's test fixture key. Then the same kind of key shipped as the app's credential.
SITE = "/usr/local/lib/python3.11/site-packages"
SSH_PY = f"{SITE}/cryptography/hazmat/primitives/serialization/ssh.py"
SSH_PYC = f"{SITE}/cryptography/hazmat/primitives/serialization/__pycache__/ssh.cpython-311.pyc"
FIXTURE_KEY = f"{SITE}/aiohttp/tests/sample.key"
PEM = 'K=PRIVATE && printf -- "-----BEGIN OPENSSH $K KEY-----\\nZmFrZQ==\\n-----END OPENSSH $K KEY-----\\n"'
LIBRARY_KEYS = f"""FROM {BASE}
RUN mkdir -p {SSH_PYC.rsplit("/", 1)[0]} {FIXTURE_KEY.rsplit("/", 1)[0]} \\
 && {PEM} > {SSH_PY} && cp {SSH_PY} {SSH_PYC} && {PEM} > {FIXTURE_KEY}
CMD ["sleep", "infinity"]
"""
APP_KEY = LIBRARY_KEYS.replace('CMD ["sleep"', f'RUN mkdir -p /app && {PEM} > /app/deploy_key\nCMD ["sleep"')


def build(tmp_path_factory, name: str, dockerfile: str) -> tuple[str, str]:
    from helpers.engine import buildkit

    context = tmp_path_factory.mktemp(name)
    (context / "Dockerfile").write_text(dockerfile)
    tag = f"dockopt-security/{name}:test"
    buildkit.build(context, context / "Dockerfile", tag)
    return tag, dockerfile


def remove(tag: str) -> None:
    from helpers.engine import connect

    connect.client().images.remove(tag, force=True)


@pytest.fixture(scope="session")
def dirty(tmp_path_factory):
    from helpers.security.scan import scan_image

    tag, dockerfile = build(tmp_path_factory, "planted-dirty", DIRTY)
    try:
        yield scan_image(tag, dockerfile=dockerfile, secrets=(BUILD_SECRET,), index=None)
    finally:
        remove(tag)


@pytest.fixture(scope="session")
def clean(tmp_path_factory):
    from helpers.security.scan import scan_image

    tag, dockerfile = build(tmp_path_factory, "planted-clean", CLEAN)
    try:
        yield scan_image(tag, dockerfile=dockerfile, secrets=(BUILD_SECRET,))
    finally:
        remove(tag)


@pytest.fixture(scope="session")
def library_keys(tmp_path_factory):
    from helpers.security.scan import scan_image

    tag, dockerfile = build(tmp_path_factory, "planted-library-keys", LIBRARY_KEYS)
    try:
        yield scan_image(tag, dockerfile=dockerfile, index=None)
    finally:
        remove(tag)


@pytest.fixture(scope="session")
def app_key(tmp_path_factory):
    from helpers.security.scan import scan_image

    tag, dockerfile = build(tmp_path_factory, "planted-app-key", APP_KEY)
    try:
        yield scan_image(tag, dockerfile=dockerfile, index=None)
    finally:
        remove(tag)


def rows(report, rule):
    return report.findings[report.findings["rule"] == rule]


def test_root_user_configured_and_measured(dirty):
    [evidence] = rows(dirty, "SEC001")["evidence"]
    assert "Config.User=''" in evidence and "ran as uid 0" in evidence


def test_planted_setuid_binary(dirty):
    assert "/usr/local/bin/planted-suid" in set(rows(dirty, "SEC002")["path"])


def test_private_key_deleted_in_a_later_layer_is_found(dirty):
    keys = rows(dirty, "SEC007")
    key = keys[keys["path"] == "/root/.ssh/id_rsa"].iloc[0]
    assert bool(key["deleted_later"]) and key["line"] == 3


def test_token_in_env_and_build_secret_in_a_file(dirty):
    messages = " ".join(rows(dirty, "SEC007")["message"])
    assert "ENV SERVICE_TOKEN" in messages and "supplied build secret in /etc/app.conf" in messages
    assert TOKEN not in dirty.findings.to_string()  # values are redacted


def test_world_writable_dir(dirty):
    assert list(rows(dirty, "SEC003")["path"]) == ["/srv/drop"]


def test_dirty_image_grades_f_and_os_scan_is_reported_not_run(dirty):
    assert dirty.grade == "F"
    assert dirty.os.count is None and "disabled" in dirty.os.reason


def test_clean_image_is_not_flagged(clean):
    flagged = set(clean.findings["rule"])
    assert not flagged & {"SEC001", "SEC002", "SEC003", "SEC007", "SEC008", "SEC010"}, clean.findings
    assert clean.not_run.get("runtime_uid") is None


def test_clean_image_os_packages_are_scanned_against_debian_security(clean):
    assert clean.os.scanned, clean.os.reason
    assert clean.os.count == len(clean.os_fixes) and clean.os.packages_checked > 50
    assert any(c["purl"].startswith("pkg:deb/debian/dpkg@") for c in clean.sbom["components"])


def test_key_material_inside_a_library_is_info_with_its_path(library_keys):
    assert rows(library_keys, "SEC007").empty, rows(library_keys, "SEC007")
    info = rows(library_keys, "SEC017")
    assert set(info["path"]) == {SSH_PY, SSH_PYC, FIXTURE_KEY}
    assert set(info["severity"]) == {"info"} and all(p in m for p, m in zip(info["path"], info["message"]))
    assert library_keys.grade != "F" and library_keys.counts()["critical"] == 0


def test_a_real_key_in_the_app_directory_stays_critical(app_key):
    [key] = rows(app_key, "SEC007").to_dict(orient="records")
    assert key["path"] == "/app/deploy_key" and key["severity"] == "critical" and "private key" in key["message"]
    assert app_key.grade == "F"
    assert set(rows(app_key, "SEC017")["path"]) == {SSH_PY, SSH_PYC, FIXTURE_KEY}


def test_the_layer_store_scan_equals_the_exported_scan(tmp_path_factory):
    """One export per image at most: the scan reads the engine's layer store, and finds exactly
    what it finds in the `docker save` tarball of the same image."""
    from helpers.engine import images
    from helpers.image.layer_store import SOURCE
    from helpers.security.scan import scan_archive, scan_image

    tag, dockerfile = build(tmp_path_factory, "planted-dirty-both", DIRTY)
    try:
        ours = scan_image(tag, dockerfile=dockerfile, secrets=(BUILD_SECRET,), index=None, run_container=False)
        with images.saved(tag) as tar:
            theirs = scan_archive(tar, tag, dockerfile, (BUILD_SECRET,), index=None, engine_tag=tag,
                                  image_id=ours.image_id)
    finally:
        remove(tag)
    assert ours.source == SOURCE
    assert [f.as_dict() for f in ours.finding_list] == [f.as_dict() for f in theirs.finding_list]
    assert {"SEC002", "SEC007"} <= {f.rule for f in ours.finding_list}
    assert ours.sbom["components"] == theirs.sbom["components"]
