"""Every image check, in the order reports list them. Each module has ``RULES`` and ``check(facts)``."""

from helpers.security.checks import (base_pin, build_material, build_tools, exposed_ports, healthcheck,
                                     root_user, secrets, setuid, world_writable)

CHECKS = [
    root_user,
    setuid,
    world_writable,
    build_tools,
    secrets,
    base_pin,
    healthcheck,
    exposed_ports,
    build_material,
]
