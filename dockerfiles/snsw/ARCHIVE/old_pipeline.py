"""The pipeline before the C gate (kept for reference; not used)."""


def gate(values, threshold):
    return [max(0.0, v - threshold) for v in values]
