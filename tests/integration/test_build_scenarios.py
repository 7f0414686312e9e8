"""The scenarios on the real engine prove what the seed claims about rebuilds."""

from __future__ import annotations

import textwrap

from tests.integration.conftest import TINY_BASE, tree_hash

from helpers import sample
from helpers.history import store
from helpers.builds import timings
from helpers.engine import images
from helpers.engine.labels import RUN_LABEL

PIP_INSTALL_ORIGINAL = "RUN pip install --no-cache-dir -U pip setuptools wheel"
PHASE1_DEPS = "pip install -r /tmp/deps.txt"


def row(frame, scenario):
    return frame[frame["scenario"] == scenario].iloc[0]


def test_code_change_of_the_original_reruns_the_dependency_install(original_code):
    code = row(original_code, "code")
    assert code["status"] == "ok"
    assert any(PIP_INSTALL_ORIGINAL in s for s in code["ran_steps"]), code["ran_steps"]
    assert "line 17: " + PIP_INSTALL_ORIGINAL in " ".join(code["ran_steps"])


def test_code_change_of_phase1_does_not_rerun_the_dependency_install(phase1_code_deps):
    code = row(phase1_code_deps, "code")
    assert code["status"] == "ok"
    assert not any("pip install" in s for s in code["ran_steps"]), code["ran_steps"]
    assert any("COPY src/kaggle" in s for s in code["ran_steps"])


def test_dependency_change_reruns_the_install(phase1_code_deps):
    deps = row(phase1_code_deps, "deps")
    assert any(PHASE1_DEPS in s for s in deps["ran_steps"]), deps["ran_steps"]


def test_the_users_tree_is_unchanged(original_code, phase1_code_deps, sample_tree_before):
    assert tree_hash(sample.SAMPLE_CONTEXT) == sample_tree_before


def test_a_rerun_with_nothing_changed_reuses_and_builds_nothing(phase1_code_deps, history):
    messages = []
    again = timings.measure_sample("phase1", scenarios=["code", "deps"], repeats=1, history=history,
                                   log=messages.append)
    assert again["reused_from"].notna().all()
    assert list(again["median_s"]) == list(phase1_code_deps["median_s"])
    assert not any("build" in m for m in messages), messages
    fresh = timings.measure_sample("phase1", scenarios=["code"], repeats=1, history=history, fresh=True,
                                   log=messages.append)
    assert fresh["reused_from"].isna().all()


def test_repeats_keep_median_and_range(engine, tiny_context, tmp_path):
    frame = timings.measure_variant(tiny_context, tiny_context / "Dockerfile", "tiny", scenarios=["noop"],
                                    repeats=3, history=tmp_path / "h.sqlite")
    noop = row(frame, "noop")
    with store.History(tmp_path / "h.sqlite") as h:
        seconds = sorted(h.repeats(int(noop["scenario_id"]))["seconds"])
    assert len(seconds) == 3 and noop["repeats"] == 3
    assert (noop["min_s"], noop["median_s"], noop["max_s"]) == (seconds[0], seconds[1], seconds[2])


def test_small_context_tree_unchanged_by_code_and_deps(engine, tiny_context, tmp_path):
    before = tree_hash(tiny_context)
    frame = timings.measure_variant(tiny_context, tiny_context / "Dockerfile", "tiny", scenarios=["code", "deps"],
                                    repeats=1, history=tmp_path / "h.sqlite", code_file="app.py",
                                    dependency_file="requirements.txt")
    assert (frame["status"] == "ok").all()
    assert any("RUN cat requirements.txt" in s for s in row(frame, "deps")["ran_steps"])
    assert not any("RUN cat requirements.txt" in s for s in row(frame, "code")["ran_steps"])
    assert tree_hash(tiny_context) == before


def test_a_failed_build_is_recorded_with_its_error_and_does_not_raise(engine, tiny_context, tmp_path):
    broken = tmp_path / "Dockerfile.broken"
    broken.write_text((tiny_context / "Dockerfile").read_text() + "RUN echo about to fail && exit 3\n")
    frame = timings.measure_variant(tiny_context, broken, "broken", scenarios=["cold", "noop"], repeats=1,
                                    history=tmp_path / "h.sqlite")
    assert list(frame["status"]) == ["failed", "skipped"]
    cold = row(frame, "cold")
    assert "exit code: 3" in cold["error"] and "line 6" in cold["error"]
    with store.History(tmp_path / "h.sqlite") as h:
        variant = h.variants(h.latest_run_id()).iloc[0]
    assert variant["status"] == "failed" and "exit 3" in variant["log_tail"]


def test_a_missing_base_image_is_a_clear_failure(engine, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM dockopt-build/no-such-base:1\nRUN true\n")
    frame = timings.measure_variant(tmp_path, tmp_path / "Dockerfile", "nobase", scenarios=["cold"], repeats=1,
                                    history=tmp_path / "h.sqlite")
    assert frame.empty
    with store.History(tmp_path / "h.sqlite") as h:
        variant = h.variants(h.latest_run_id()).iloc[0]
    assert variant["status"] == "failed"
    assert "dockopt-build/no-such-base:1" in variant["error"] and "dockopt base" in variant["error"]


def test_a_dockerfiles_own_ignore_file_travels_with_it(engine, tiny_context, tmp_path):
    (tiny_context / "secret.txt").write_text("do not send")
    dfdir = tmp_path / "variants"
    dfdir.mkdir()
    (dfdir / "Dockerfile.opt").write_text(textwrap.dedent(f"""\
        FROM {TINY_BASE}
        COPY . /ctx
        RUN test ! -e /ctx/secret.txt
        """))
    (dfdir / "Dockerfile.opt.dockerignore").write_text("secret.txt\n")
    frame = timings.measure_variant(tiny_context, dfdir / "Dockerfile.opt", "ignored", scenarios=["cold"],
                                    repeats=1, history=tmp_path / "h.sqlite")
    assert row(frame, "cold")["status"] == "ok", frame["error"].tolist()


def test_a_rebuild_scenario_added_later_keeps_the_variant_its_cold_image(engine, tiny_context, tmp_path):
    """A later call that reuses the cold measurement and runs only the deps change primes the cache
    with an untimed build (a new image: the cache mount's namespace is new). The variant is still
    the image the cold build made: analysed once, still tagged, the priming image gone."""
    dockerfile = tiny_context / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace(
        "RUN cat requirements.txt", "RUN --mount=type=cache,target=/var/cache/x cat requirements.txt"))
    history, tag = tmp_path / "h.sqlite", "dockopt-build/later-deps:latest"

    def measure(scenarios):
        frame = timings.measure_variant(tiny_context, dockerfile, "later", scenarios=scenarios, repeats=1,
                                        history=history, dependency_file="requirements.txt", tag=tag)
        assert (frame["status"] == "ok").all(), frame["error"].tolist()
        with store.History(history) as h:
            variant = h.variant(int(frame["variant_id"].iloc[0]))
            label = h.conn.execute("SELECT run_label FROM runs WHERE run_id = ?", (variant["run_id"],)).fetchone()[0]
        return frame, variant, label

    try:
        _, first, _ = measure(["cold"])
        later, second, label = measure(["cold", "deps"])
        assert later["reused_from"].notna().tolist() == [True, False]
        assert second["image_id"] == first["image_id"]
        assert images.image_id(tag) == first["image_id"]
        assert engine.images.list(filters={"label": f"{RUN_LABEL}={label}"}) == []  # the priming image is gone
    finally:
        images.remove_tag(tag)
