"""The only part of dockopt that talks to Docker: engine discovery, start-up, BuildKit, base images."""

from helpers.engine.connect import EngineInfo, client, describe, find_endpoint  # noqa: F401
from helpers.engine.labels import LABEL, ours  # noqa: F401
