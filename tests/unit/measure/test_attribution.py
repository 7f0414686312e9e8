import pytest

from helpers import sample
from helpers.measure.attribution import BASE, attribute, final_stage, split_created_by
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


def test_final_stage_of_a_multi_stage_file():
    stage = final_stage(sample.variant("phase2").dockerfile.read_text())
    assert stage[0].keyword == "RUN" and "useradd" in stage[0].text
    assert {i.stage for i in stage} == {"runtime"}


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
