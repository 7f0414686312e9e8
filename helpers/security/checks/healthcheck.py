"""No HEALTHCHECK: an orchestrator cannot tell a hung or hijacked process from a working one."""

from __future__ import annotations

from helpers.security.finding import Finding, Rule

RULE = Rule("SEC010", "no-healthcheck", "low", "The image defines no HEALTHCHECK.")


def check(facts) -> list[Finding]:
    test = (facts.container_config.get("Healthcheck") or {}).get("Test") or []
    if test and test[0] != "NONE":
        return []
    why = "HEALTHCHECK NONE" if test else "no Healthcheck in the image config"
    return [Finding(RULE.id, RULE.severity, "The image has no HEALTHCHECK.", evidence=why)]

RULES = (RULE,)
