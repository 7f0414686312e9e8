from pathlib import Path

import numpy as np

from snsw import SeparationModel

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "model.yaml"


def test_separate_keeps_shape():
    model = SeparationModel.from_config(CONFIG)
    frames = np.ones((4, 256))
    assert model.separate(frames).shape == (4, 256)
