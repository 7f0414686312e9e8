"""The uid an image's process really runs as, measured in a container (labelled, always removed).

The image's own command is started and pid 1's uid read from ``/proc`` (an entrypoint may
drop privileges, which the config cannot show). When that command exits at once, the uid of a
``cat /proc/self/status`` run under the same USER is the fallback, and the note says so.
"""

from __future__ import annotations

import time

SETTLE_S = 1.0


def measure_uid(tag: str, cli=None) -> tuple[int | None, str]:
    """(uid, how it was measured); (None, why not) when neither way works."""
    from helpers.engine import containers

    try:
        with containers.started(tag, cli=cli) as container:
            time.sleep(SETTLE_S)
            container.reload()
            if container.status == "running":
                uid = containers.actual_uid(container)
                if uid is not None:
                    return uid, "pid 1 of the image's own command, from /proc/1/status"
    except Exception as exc:  # noqa: BLE001 - the fallback below answers, the error only explains
        first = f"own command failed to start ({exc.__class__.__name__})"
    else:
        first = "own command exited before it could be inspected"
    uid, _ = containers.uid_of_a_command(tag, cli=cli)
    if uid is not None:
        return uid, f"{first}; `cat /proc/self/status` under the image's USER"
    return None, f"{first}; `cat` is not runnable in the image either"
