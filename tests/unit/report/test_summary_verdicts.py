"""Verdicts of the seed's "Expected Results" rows: what counts as met, partly and missed."""

import pytest

from helpers.report.summary import verdict_for


@pytest.mark.parametrize("metric, before, after, verdict", [
    ("Image Size", 1000, 700, "met"), ("Image Size", 1000, 900, "partly"), ("Image Size", 1000, 1100, "missed"),
    ("First Build", 44.0, 40.0, "met"), ("First Build", 88.0, 42.0, "met"),  # faster than "similar" is not a miss
    ("First Build", 40.0, 61.0, "missed"),
    ("Rebuild (code change)", 17.0, 0.3, "met"), ("Rebuild (code change)", 17.0, 10.0, "partly"),
    ("Layers", 10, 8, "met"), ("Layers", 10, 10, "partly"), ("Security Issues", 41, 50, "missed"),
    ("Layers", None, 8, "not measured"),
])
def test_verdict(metric, before, after, verdict):
    assert verdict_for(metric, before, after) == verdict


def _measured(is_sample: bool):
    from types import SimpleNamespace

    def image(size, layers):
        return SimpleNamespace(sizes=SimpleNamespace(uncompressed_bytes=size, layer_count=layers))

    medians = {("original", "cold"): 40.0, ("phase3", "cold"): 42.0, ("original", "code"): 30.0,
               ("phase3", "code"): 1.5}
    return SimpleNamespace(project=SimpleNamespace(is_sample=is_sample),
                           images={"original": image(447_000_000, 12), "phase3": image(151_000_000, 9)},
                           median=lambda variant, scenario: medians.get((variant, scenario)))


ABSOLUTE = ("~8-10GB", "~6-7GB", "~15-20min", "~1-2min", "~15")


def test_a_users_project_is_compared_with_the_seeds_relative_claims_only(tmp_path):
    from helpers.report import summary
    from helpers.report import index_page

    table = summary.expected_results(_measured(is_sample=False))
    assert not set(summary.SEED_ABSOLUTE_COLUMNS) & set(table.columns)
    claims = dict(zip(table["Metric"], table[summary.RELATIVE_COLUMN]))
    assert claims == {"Image Size": "20-30% smaller", "First Build": "similar", "Rebuild (code change)": "90% faster",
                      "Security Issues": "reduced", "Layers": "fewer"}
    assert dict(zip(table["Metric"], table["Verdict"]))["Image Size"] == "met"  # 66% smaller vs "20-30% smaller"
    summary.save(table, str(tmp_path))
    page = index_page.write_index(tmp_path, "flask-app", "Dockerfile", [], summary.load(tmp_path)).read_text()
    assert not any(figure in page for figure in ABSOLUTE)
    assert "relative claims only" in page
    from helpers.study import verdicts

    assert str(verdicts(table)).splitlines()[0] == summary.RELATIVE_NOTE


def test_the_sample_keeps_the_seeds_absolute_columns(tmp_path):
    from helpers.report import summary
    from helpers.report import index_page

    table = summary.expected_results(_measured(is_sample=True))
    assert set(summary.SEED_ABSOLUTE_COLUMNS) <= set(table.columns) and summary.RELATIVE_COLUMN not in table.columns
    summary.save(table, str(tmp_path))
    page = index_page.write_index(tmp_path, "snsw (sample)", "Dockerfile", [], summary.load(tmp_path)).read_text()
    assert "~8-10GB" in page and "~15-20min" in page and "relative claims only" not in page
    assert summary.basis_note(table) == ""


def _sbom(*names):
    return {"components": [{"name": n} for n in names]}


@pytest.mark.parametrize("names, left_out", [
    (("flask", "gunicorn", "libc6", "python3.11"), "no torch and no CUDA libraries"),
    (("numpy", "nvidia-cuda-runtime-cu12"), "CUDA libraries (nvidia-cuda-runtime-cu12) but no torch"),
    (("torch", "numpy", "nvidia-cudnn-cu12"), None),
    (("torch",), None),
    (("torchvision", "libc6"), "no torch and no CUDA"),
])
def test_gpu_check_applies_only_to_an_image_with_torch(names, left_out):
    from helpers.image import gpu

    why = gpu.why_not_applicable(_sbom(*names), "phase3")
    assert (why is None) if left_out is None else (why.startswith("left out: the phase3 image") and left_out in why)


def test_gpu_check_is_left_out_with_its_reason_before_asking_the_engine():
    from types import SimpleNamespace

    from helpers.study import gpu_check

    security = {"phase3": SimpleNamespace(sbom=_sbom("flask", "libc6"))}
    text = gpu_check(SimpleNamespace(), "phase3", security)  # no engine is reached: nothing to connect to
    assert str(text).startswith("left out: the phase3 image has no torch and no CUDA libraries")
