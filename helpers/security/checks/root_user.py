"""Root in the container: a process escape or a writable mount becomes root on the host's files.

Two facts, both reported: what the image config says (``Config.User``) and the uid pid 1
actually ran as in a container (an entrypoint may drop privileges, or USER may name a user
that maps to 0).
"""

from __future__ import annotations

from helpers.security.finding import Finding, Rule

RULE = Rule("SEC001", "root-user", "high", "The container runs as root (uid 0).")
ROOT_NAMES = ("", "root", "0")


def configured_root(user: str) -> bool:
    """``USER`` values meaning root: unset, ``root``, ``0``, with or without a group."""
    return user.split(":", 1)[0].strip() in ROOT_NAMES


def check(facts) -> list[Finding]:
    user = facts.container_config.get("User") or ""
    said_root = configured_root(user)
    ran_root = facts.runtime_uid == 0
    if not said_root and not ran_root:
        return []
    evidence = [f"Config.User={user!r}" + (" (no USER instruction took effect)" if not user else "")]
    if facts.runtime_uid is not None:
        evidence.append(f"pid 1 ran as uid {facts.runtime_uid} ({facts.runtime_note})")
    else:
        evidence.append(f"actual uid not measured: {facts.runtime_note}")
    what = "configured as root" if said_root else f"configured as {user!r} but ran as uid 0"
    return [Finding(RULE.id, RULE.severity, f"The container is {what}.",
                    line=facts.final_stage_line("USER"), evidence="; ".join(evidence))]

RULES = (RULE,)
