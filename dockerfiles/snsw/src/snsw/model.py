"""A tiny separation model: linear encoder, C gate, linear decoder."""

from __future__ import annotations

import zlib
from pathlib import Path

import crcmod.predefined
import numpy as np
import pandas as pd
import yaml
from scipy import signal

from snsw import _fastops

HIDDEN = 64


class SeparationModel:
    def __init__(self, weights: np.ndarray, threshold: float = 0.1) -> None:
        self.encoder = weights[:, :HIDDEN]
        self.decoder = weights[:, :HIDDEN].T.copy()
        self.threshold = threshold

    @classmethod
    def from_config(cls, config: Path, weights: Path | None = None) -> "SeparationModel":
        cfg = yaml.safe_load(config.read_text())
        dim = int(cfg["frame"])
        if weights and weights.exists():
            raw = np.fromfile(weights, dtype=np.uint16, count=dim * HIDDEN)
            matrix = (raw.reshape(dim, HIDDEN) / 65535.0 - 0.5) * 0.2
        else:  # no weights mounted: a seeded init, enough to exercise every code path
            matrix = np.random.default_rng(cfg.get("seed", 0)).normal(0, 0.1, (dim, HIDDEN))
        return cls(matrix, float(cfg.get("threshold", 0.1)))

    def separate(self, frames: np.ndarray) -> np.ndarray:
        smoothed = signal.lfilter([0.5, 0.5], [1.0], frames.astype(np.float64), axis=1)
        hidden = smoothed @ self.encoder
        gated = np.frombuffer(_fastops.gate(hidden.tobytes(), self.threshold), dtype=np.float64)
        return gated.reshape(hidden.shape) @ self.decoder

    @staticmethod
    def summary(signal_out: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"mean": signal_out.mean(axis=1), "peak": np.abs(signal_out).max(axis=1)})

    @staticmethod
    def checksum(signal: np.ndarray) -> str:
        crc = crcmod.predefined.mkCrcFun("crc-32c")
        return f"{crc(signal.tobytes()):08x}-{zlib.adler32(signal.tobytes()):08x}"
