"""Lint speed: dockopt's rules in process vs hadolint's process on the same Dockerfiles.

Issue 3's budget is "well under 100 ms in-process for a typical Dockerfile"; hadolint's wall
time (a process per file) is the peer figure. Run: python bench/lint_speed.py
"""

from __future__ import annotations

import statistics
import time

from helpers.lint import lint_dockerfile
from helpers.lint.hadolint import run_hadolint
from helpers.paths import REFERENCE_VARIANTS, SAMPLE_CONTEXT, SAMPLE_DOCKERFILE, SEED_DOCKERFILE

FILES = [(SAMPLE_DOCKERFILE, SAMPLE_CONTEXT), (SEED_DOCKERFILE, None)] + [
    (REFERENCE_VARIANTS / f"Dockerfile.phase{n}", SAMPLE_CONTEXT) for n in (1, 2, 3)]


def median_ms(fn, repeat: int = 21) -> tuple[float, float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    print(f"{'dockerfile':40} {'dockopt ms (median, min-max)':32} {'hadolint ms (median, min-max)'}")
    for path, context in FILES:
        ours = median_ms(lambda: lint_dockerfile(path, context=context, hadolint=False))
        runs = [run_hadolint(path).seconds * 1000 for _ in range(21)]  # the lint process only
        theirs = statistics.median(runs), min(runs), max(runs)
        print(f"{path.relative_to(path.parents[1])!s:40} {ours[0]:7.2f} ({ours[1]:.2f}-{ours[2]:.2f}){'':12}"
              f"{theirs[0]:7.2f} ({theirs[1]:.2f}-{theirs[2]:.2f})")


if __name__ == "__main__":
    main()
