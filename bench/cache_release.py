"""What releasing one measurement's build cache costs: seconds and engine calls per measurement.

Measures a small multi-stage Dockerfile shaped like the sample's variants (13 steps in two
stages, a cache mount, a code file and a dependency file) with every scenario and
``--repeats 3``, as the report does, and times the release each measurement makes at its end
(``helpers.builds.build_cache.release_new``, recorded as "build cache release" in a render's
split), counting the engine calls made inside it (``GET /system/df``, ``POST /build/prune``).
What the final image holds is released afterwards, outside the timing. The load average is
printed: a figure taken on a loaded machine says so.

Run with the tree to measure first on PYTHONPATH (the code before a change can be measured the
same way from its own checkout):
``PYTHONPATH=. python bench/cache_release.py [--measurements 2] [--prefix dockopt-bench]``
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

import docker.api.client

from helpers.builds import build_cache, scenarios
from helpers.engine import connect
from helpers.engine.base_images import ROOTFS_TAG

DOCKERFILE = f"""FROM {ROOTFS_TAG} AS build
WORKDIR /src
COPY deps.txt .
RUN --mount=type=cache,target=/cache head -c 1000000 /dev/urandom > /cache/d && cp /cache/d /src/deps.bin
RUN head -c 2000000 /dev/urandom > /src/a.bin
RUN head -c 2000000 /dev/urandom > /src/b.bin
RUN cat deps.txt > /src/deps.copy
COPY app.txt .
RUN cat app.txt > /src/app.copy
RUN head -c 1000000 /dev/urandom > /src/c.bin
FROM {ROOTFS_TAG}
RUN mkdir -p /app
COPY --from=build /src/a.bin /app/
COPY --from=build /src/deps.copy /src/app.copy /app/
RUN ls -l /app > /app/listing
"""

calls: Counter = Counter()
counting = False


def count(name: str, method):
    def wrapped(self, *args, **kwargs):
        if counting:
            calls[name] += 1
        return method(self, *args, **kwargs)
    return wrapped


def main() -> None:
    global counting
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measurements", type=int, default=2)
    parser.add_argument("--prefix", default="dockopt-bench", help="repository prefix of the image built")
    args = parser.parse_args()

    api = docker.api.client.APIClient
    api.df, api.prune_builds = count("df", api.df), count("prune", api.prune_builds)
    timed = []
    release_new = build_cache.release_new

    def timed_release(cli, before):
        global counting
        calls.clear()
        counting, start = True, time.perf_counter()
        try:
            released = release_new(cli, before)
        finally:
            counting = False
        timed.append((time.perf_counter() - start, dict(calls), released))
        return released

    build_cache.release_new = timed_release
    cli = connect.client()
    print(f"code: {Path(build_cache.__file__).parents[2]}; load average at start "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    for n in range(1, args.measurements + 1):
        with tempfile.TemporaryDirectory() as tmp:
            ctx = Path(tmp)
            (ctx / "Dockerfile").write_text(DOCKERFILE)
            (ctx / "app.txt").write_text("v1\n")
            (ctx / "deps.txt").write_text("numpy==2.1.0\n")
            tag = f"{args.prefix}/cache-release:bench"
            target = scenarios.Target("bench", ctx, ctx / "Dockerfile", code_file="app.txt",
                                      dependency_file="deps.txt", tag=tag)
            start = time.perf_counter()
            result = scenarios.measure(target, repeats=3, history=ctx / "history.sqlite", log=lambda m: None)
            wall = time.perf_counter() - start
            seconds, made, released = timed[-1]
            print(f"measurement {n}: {result['status']}, {wall:.0f} s; release {seconds:.2f} s, "
                  f"{made.get('df', 0)} df + {made.get('prune', 0)} prune calls, {len(released.released)} records "
                  f"({released.freed_bytes / 1e6:.1f} MB) released, {len(released.held)} held for the image; "
                  f"load {os.getloadavg()[0]:.2f}")
            cli.images.remove(tag)  # its only tag: the image goes (the edited one went in the cleanup)
            build_cache.release(cli, released.held)  # what the image held, untimed
    print("load average at end " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
