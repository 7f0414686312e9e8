"""Run the separation model: one smoke batch (--smoke) or a long-running loop (--serve)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from snsw import SeparationModel, __version__
from snsw.health import HEARTBEAT

APP = Path(__file__).resolve().parents[2]
CONFIG = Path(os.environ.get("SNSW_CONFIG", APP / "configs" / "model.yaml"))
WEIGHTS = Path(os.environ.get("SNSW_WEIGHTS", APP / "models" / "snsw-weights.safetensors"))


def one_batch(model: SeparationModel, rng: np.random.Generator) -> str:
    frames = rng.normal(0, 1, (32, model.encoder.shape[0]))
    separated = model.separate(frames)
    stats = model.summary(separated)
    return f"{model.checksum(separated)} peak={stats['peak'].max():.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="run one batch and exit")
    parser.add_argument("--serve", action="store_true", help="loop forever, writing a heartbeat")
    args = parser.parse_args(argv)
    model = SeparationModel.from_config(CONFIG, WEIGHTS)
    rng = np.random.default_rng(0)
    if args.serve:
        while True:
            one_batch(model, rng)
            Path(HEARTBEAT).write_text(str(time.time()))
            time.sleep(2)
    checksum = one_batch(model, rng)
    weights = "mounted" if WEIGHTS.exists() else "seeded init"
    print(f"snsw {__version__} ok checksum={checksum} weights={weights}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
