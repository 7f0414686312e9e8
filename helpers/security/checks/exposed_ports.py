"""Exposed ports: the doors the image documents. Remote-shell ports are flagged, the rest listed."""

from __future__ import annotations

from helpers.security.finding import Finding, Rule

RULE = Rule("SEC011", "exposed-port", "info", "A port the image declares with EXPOSE.")
SHELL_RULE = Rule("SEC012", "remote-shell-port", "medium", "A remote-shell port (ssh/telnet) is exposed.")
SHELL_PORTS = {22: "ssh", 23: "telnet"}


def check(facts) -> list[Finding]:
    found = []
    line = facts.final_stage_line("EXPOSE")
    for spec in sorted(facts.container_config.get("ExposedPorts") or {}):
        port = int(spec.split("/", 1)[0])
        rule = SHELL_RULE if port in SHELL_PORTS else RULE
        what = f" ({SHELL_PORTS[port]})" if port in SHELL_PORTS else ""
        found.append(Finding(rule.id, rule.severity, f"Port {spec}{what} is exposed.", line=line, evidence=spec))
    return found

RULES = (RULE, SHELL_RULE)
