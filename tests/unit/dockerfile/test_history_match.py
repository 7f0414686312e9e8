"""Which line made each layer: one matcher, so the layer table and the security findings agree."""

import hashlib
import io
import json
import tarfile

import pytest

from helpers import sample
from helpers.dockerfile.history_match import (
    BASE,
    attribute,
    built_stage,
    split_created_by,
)
from helpers.dockerfile.model import parse_text
from helpers.image.archive import SavedImage
from helpers.measure.report import analyse
from helpers.paths import REFERENCE_VARIANTS, SAMPLE_DOCKERFILE
from helpers.security.scan import scan_archive
from tests.unit.conftest import load_json


@pytest.mark.parametrize("created_by, expected", [
    ("RUN /bin/sh -c apt-get update # buildkit", ("RUN", "apt-get update")),
    ("RUN |2 A=1 B=2 /bin/sh -c make all # buildkit", ("RUN", "make all")),
    ("COPY . . # buildkit", ("COPY", ". .")),
    ("ENV PATH=/opt/venv/bin:/usr/bin", ("ENV", "PATH=/opt/venv/bin:/usr/bin")),
    ("/bin/sh -c #(nop)  CMD [\"python\"]", ("CMD", "[\"python\"]")),
    ("/bin/sh -c pip install .", ("RUN", "pip install .")),
    ("", ("", "")),
])
def test_split_created_by(created_by, expected):
    assert split_created_by(created_by) == expected


def test_the_built_stage_is_the_target_else_the_last():
    model = parse_text(sample.variant("phase2").dockerfile.read_text())
    stage = built_stage(model)
    assert stage.name == "runtime"
    assert stage.instructions[0].cmd == "RUN" and "useradd" in stage.instructions[0].original
    assert built_stage(model, "builder").name == "builder"
    assert built_stage(parse_text("FROM a\nFROM b\n"), "0").index == 0  # an unnamed stage by its index
    assert built_stage(None) is None


def lines_by_text(variant: str) -> dict[str, int | None]:
    history = list(reversed(load_json(f"sample-{variant}.history.json")))
    made = attribute([h["CreatedBy"] for h in history], sample.variant(variant).dockerfile.read_text())
    return {h["CreatedBy"][:40]: (a.line, a.stage) for h, a in zip(history, made)}


def line_of(dockerfile, needle: str) -> int:
    return next(n for n, text in enumerate(dockerfile.read_text().splitlines(), 1) if needle in text)


@pytest.mark.parametrize("variant, created_by, needle", [
    ("original", "RUN /bin/sh -c apt-get update && apt-get", "RUN apt-get update && apt-get install"),
    ("original", "RUN /bin/sh -c pip install --no-cache-dir", "RUN pip install --no-cache-dir -U pip"),
    ("original", "COPY . . # buildkit", "COPY . ."),
    ("original", "COPY src/ ./src/ # buildkit", "COPY src/ ./src/"),
    ("phase1", "COPY /opt/venv /opt/venv # buildkit", "COPY --from=builder /opt/venv"),
    ("phase3", "RUN /bin/sh -c useradd --create-home --ui", "RUN useradd"),
    ("phase3", "HEALTHCHECK &{[\"CMD\" \"python\" \"-m\" \"snsw.h", "HEALTHCHECK"),
])
def test_sample_layers_attributed_to_their_lines(variant, created_by, needle):
    found = lines_by_text(variant)
    assert found[created_by[:40]] == (line_of(sample.variant(variant).dockerfile, needle),
                                      "runtime" if variant != "original" else "0")


def test_base_image_entries_get_no_line():
    history = list(reversed(load_json("sample-phase3.history.json")))
    made = attribute([h["CreatedBy"] for h in history], sample.variant("phase3").dockerfile.read_text())
    assert made[0].stage == BASE and made[0].line is None
    assert made[1].stage == BASE and "apt-get" in made[1].instruction  # the base's RUN is not ours


def test_without_a_dockerfile_entries_keep_their_own_text():
    made = attribute(["COPY . . # buildkit"], None)
    assert made[0].line is None and made[0].instruction == "COPY . ." and made[0].stage == ""


def test_text_the_parser_rejects_leaves_every_entry_to_the_base_image():
    rows = attribute(["RUN /bin/sh -c a # buildkit"], "FROM a\nRUN <<EOF\nnever closed\n")
    assert [(r.line, r.stage) for r in rows] == [(None, BASE)]


@pytest.mark.parametrize("dockerfile, history, expected", [
    (SAMPLE_DOCKERFILE, "sample-original", {"COPY . . # buildkit": 20, "WORKDIR /app": 13}),
    (REFERENCE_VARIANTS / "Dockerfile.phase3", "sample-phase3",
     {"COPY /opt/venv /opt/venv # buildkit": 34, "USER appuser": 39}),
])
def test_recorded_history_maps_to_dockerfile_lines(dockerfile, history, expected):
    created_by = [e["CreatedBy"] for e in reversed(load_json(f"{history}.history.json"))]
    lines = {c: a.line for c, a in zip(created_by, attribute(created_by, dockerfile.read_text()))}
    for entry, line in expected.items():
        assert lines[entry] == line


def test_build_args_a_run_saw_do_not_hide_its_line():
    rows = attribute(["RUN /bin/sh -c apt-get update # buildkit", "|1 A=b /bin/sh -c a # buildkit"], "FROM x\nRUN a\n")
    assert [(r.line, r.stage) for r in rows] == [(None, BASE), (2, "0")]


# The same instruction twice: BuildKit writes the same history text for both layers, so only
# the order tells them apart. A first-match lookup gave the second layer the first line.
REPEATED_COPY = "# a context copied twice\nFROM scratch\nCOPY app/ /app/\nCOPY app/ /app/\n"


def layer_tar(files: dict[str, tuple[int, bytes]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        dir_info = tarfile.TarInfo("app")
        dir_info.type, dir_info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(dir_info)
        for name, (mode, data) in files.items():
            info = tarfile.TarInfo(name)
            info.mode, info.size = mode, len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


@pytest.fixture()
def repeated_copy_image(tmp_path):
    """A ``docker save`` of that Dockerfile as BuildKit writes it; the second copy brings a setuid file."""
    layers = [layer_tar({"app/run.sh": (0o755, b"#!/bin/sh\n")}),
              layer_tar({"app/run.sh": (0o755, b"#!/bin/sh\n"), "app/tool": (0o4755, b"\x7fELF")})]
    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]},
              "history": [{"created_by": "COPY app/ /app/ # buildkit", "comment": "buildkit.dockerfile.v0"}] * 2}
    members = {"config.json": json.dumps(config).encode(),
               "manifest.json": json.dumps([{"Config": "config.json", "RepoTags": ["dockopt-test/repeated:1"],
                                             "Layers": ["0/layer.tar", "1/layer.tar"]}]).encode(),
               "0/layer.tar": layers[0], "1/layer.tar": layers[1]}
    path = tmp_path / "repeated.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_repeated_copy_gets_the_same_line_in_the_layer_table_and_the_security_finding(repeated_copy_image):
    with SavedImage(repeated_copy_image) as image:
        table = analyse(image, dockerfile_text=REPEATED_COPY, compressed=False).layer_rows
    assert [(r["layer"], r["line"]) for r in table] == [(0, 3), (1, 4)]
    report = scan_archive(repeated_copy_image, dockerfile=REPEATED_COPY, index=None)
    [setuid] = [f for f in report.finding_list if f.path == "/app/tool"]
    assert (setuid.layer, setuid.line) == (1, 4)
