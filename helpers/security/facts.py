"""Everything the checks read about one image, gathered in one replay of its layers.

The checks are pure functions of an ``ImageFacts``: the unit tests build one from a recorded
``docker save`` tarball, ``scan`` builds one from an engine image, and both run the same code.
Files whose contents some check needs (dpkg status, os-release, Python METADATA) are captured
during the replay; the secret scan makes its own pass because it must read deleted files too.
"""

from __future__ import annotations

import functools
import posixpath
import re
from dataclasses import dataclass, field

from helpers.dockerfile import history_match
from helpers.dockerfile.model import Dockerfile, parse_or_none
from helpers.image.archive import FILE
from helpers.image.reader import ImageReader
from helpers.measure.replay import Placed, Replay, replay

DPKG_STATUS = "/var/lib/dpkg/status"
OS_RELEASE = ("/etc/os-release", "/usr/lib/os-release")
_DIST_INFO_METADATA = re.compile(r"/[^/]+\.dist-info/METADATA$")


def wanted_for_facts(path: str) -> bool:
    return path == DPKG_STATUS or path in OS_RELEASE or bool(_DIST_INFO_METADATA.search(path))


@dataclass
class ImageFacts:
    """One image as the checks see it.

    Args:
        name: the tag or file it came from (for messages and the SBOM).
        config: the image config (``config["config"]`` has User, Env, ExposedPorts, Healthcheck).
        replayed: the final filesystem and hidden bytes (helpers.measure.replay).
        image: the opened image, for checks that read file contents across layers.
        dockerfile: its text, when the caller knows which Dockerfile built the image.
        build_args: values passed at build time (to resolve ``FROM ${BASE}@${DIGEST}``).
        secrets: build-secret values the caller wants proven absent from every layer.
        runtime_uid: the uid the container's pid 1 ran as, None when no container was run.
        runtime_note: how runtime_uid was measured, or why it was not.
    """

    name: str
    config: dict
    replayed: Replay
    image: ImageReader | None = None
    dockerfile: str | None = None
    build_args: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    runtime_uid: int | None = None
    runtime_note: str = "no container was run"
    _lines: dict[str, list[int | None]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def container_config(self) -> dict:
        return self.config.get("config") or {}

    @property
    def final(self) -> dict[str, Placed]:
        return self.replayed.final

    @functools.cached_property
    def dockerfile_model(self) -> Dockerfile | None:
        """The Dockerfile read by BuildKit's parser; None without one or when the parser rejects it.
        Parsed once: a secrets scan asks for the line of every file it reads (30,000 in the sample)."""
        return parse_or_none(self.dockerfile, self.build_args) if self.dockerfile else None

    def file_text(self, path: str) -> str | None:
        data = self.replayed.captured.get(path)
        return None if data is None else data.decode("utf-8", errors="replace")

    def layer_line(self, layer: int | None) -> int | None:
        """The Dockerfile line that made a layer (the layer table's answer), when a Dockerfile was given."""
        if layer is None or self.image is None or not self.dockerfile:
            return None
        made_by = self.image.layers[layer].history
        if made_by is None:
            return None
        if self.dockerfile not in self._lines:  # one alignment per Dockerfile, however many findings
            created_by = [h.created_by for h in self.image.history]
            self._lines[self.dockerfile] = [a.line for a in history_match.attribute(created_by, self.dockerfile)]
        return self._lines[self.dockerfile][made_by.index]

    def final_stage_line(self, keyword: str) -> int | None:
        """The last line of that instruction in the final stage (USER, HEALTHCHECK, EXPOSE...)."""
        model = self.dockerfile_model
        lines = [i.start_line for i in (model.final.instructions if model and model.final else []) if i.cmd == keyword]
        return lines[-1] if lines else None

    def os_release(self) -> dict[str, str]:
        for path in OS_RELEASE:
            text = self.file_text(path)
            if text:
                return dict((k, v.strip('"')) for k, _, v in
                            (line.partition("=") for line in text.splitlines() if "=" in line))
        return {}

    def resolve(self, path: str) -> Placed | None:
        """The final filesystem's entry for a path, following symlinks (at most 16 hops)."""
        for _ in range(16):
            placed = self.final.get(path)
            if placed is None or placed.entry.type != "symlink":
                return placed
            target = placed.entry.linkname
            path = posixpath.normpath(target if target.startswith("/") else
                                      posixpath.join(posixpath.dirname(path), target))
        return None


def gather(image: ImageReader, name: str, **kwargs) -> ImageFacts:
    """Replay ``image`` once (headers plus the few small files the checks read)."""
    replayed = replay(image, want=lambda e: e.type == FILE and wanted_for_facts(e.path))
    return ImageFacts(name=name, config=image.config, replayed=replayed, image=image, **kwargs)
