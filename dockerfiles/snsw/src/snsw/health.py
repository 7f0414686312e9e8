"""Container health: healthy while the server's heartbeat file is fresh (exit 0), else exit 1."""

from __future__ import annotations

import os
import sys
import time

HEARTBEAT = os.environ.get("SNSW_HEARTBEAT", "/tmp/snsw-heartbeat")
MAX_AGE_S = 30.0


def main() -> int:
    try:
        age = time.time() - os.stat(HEARTBEAT).st_mtime
    except OSError:
        print(f"unhealthy: no heartbeat at {HEARTBEAT}")
        return 1
    print(f"heartbeat {age:.1f}s old")
    return 0 if age < MAX_AGE_S else 1


if __name__ == "__main__":
    sys.exit(main())
