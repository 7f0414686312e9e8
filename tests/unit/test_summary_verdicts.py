"""Verdicts of the seed's "Expected Results" rows: what counts as met, partly and missed."""

import pytest

from helpers.summary import verdict_for


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
