"""The planted fixture image, scanned once per session with the recorded security index."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from helpers.image.archive import SavedImage
from helpers.security import debian_security
from helpers.security.facts import gather
from helpers.security.scan import scan_archive

FIXTURES = Path(__file__).parent / "fixtures"
PLANTED_DOCKERFILE = FIXTURES / "planted" / "Dockerfile"
RECORDED_INDEX = FIXTURES / "bookworm-security-amd64.Packages"
BUILD_SECRET = "s3cr3t-build-value-42"


def recorded_index(codename: str, arch: str) -> debian_security.SecurityIndex:
    """Debian's security index as recorded on the day in its header (no network)."""
    assert (codename, arch) == ("bookworm", "amd64")
    text = RECORDED_INDEX.read_text()
    return debian_security.SecurityIndex(str(RECORDED_INDEX), text.splitlines()[0].rsplit(" ", 1)[-1],
                                         debian_security.parse_packages(text))


@pytest.fixture(scope="session")
def planted_tar(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("planted") / "planted.tar"
    with gzip.open(FIXTURES / "planted.tar.gz", "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


@pytest.fixture(scope="session")
def planted_report(planted_tar):
    return scan_archive(planted_tar, "planted", dockerfile=PLANTED_DOCKERFILE, secrets=(BUILD_SECRET,),
                        index=recorded_index, runtime=(0, "recorded: the fixture has no USER"))


@pytest.fixture()
def planted_facts(planted_tar):
    with SavedImage(planted_tar) as image:
        yield gather(image, "planted", dockerfile=PLANTED_DOCKERFILE.read_text(), secrets=(BUILD_SECRET,))
