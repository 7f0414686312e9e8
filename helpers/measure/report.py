"""An image's static measurements in one object, built from a saved tarball (no engine needed).

``analyse`` makes one pass over the layers (two reads of nothing: contents are skipped by
seeking unless a compressed size is asked for) and derives everything else from the replayed
filesystem, so a notebook, the CLI and the tests see the same numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from helpers.imagefs import Entry, SavedImage
from helpers.measure import attribution, build_tools, dpkg, unwanted, waste
from helpers.measure.replay import GZIP_LEVEL, Replay, replay

PASSWD = "/etc/passwd"


@dataclass(frozen=True)
class Sizes:
    uncompressed_bytes: int  # what `docker images` shows: the engine's Size (or the layers' content sum)
    # sum of regular files over all layers, computed from the tarball: equals the engine's Size
    # except for layers made by `docker import`, which the engine also counts symlinks in
    content_bytes: int
    compressed_bytes: int | None  # every layer tar gzipped at level GZIP_LEVEL: what a registry stores
    visible_bytes: int  # files a container sees (the final filesystem)
    layer_count: int  # layers in rootfs (history entries that made no layer are not counted)
    gzip_level: int = GZIP_LEVEL


@dataclass
class ImageReport:
    """What an image is made of and what it carries that it does not need.

    DataFrames: ``layers`` (one row per layer, with the Dockerfile line that made it),
    ``waste`` (one row per reclaimable file), ``unwanted`` (files or folders that should not ship).
    """

    tag: str
    image_id: str
    sizes: Sizes
    layers: pd.DataFrame
    waste: pd.DataFrame
    unwanted: pd.DataFrame
    build_tools: build_tools.BuildTools
    user: str  # as configured (USER); "" means root
    user_uid: int | None  # that user's uid per the image's /etc/passwd (None if it cannot tell)
    healthcheck: dict | None  # the configured HEALTHCHECK, None if absent or NONE
    waste_by_category: dict[str, int] = field(default_factory=dict)

    @property
    def reclaimable_bytes(self) -> int:
        return int(self.waste["bytes"].sum()) if len(self.waste) else 0

    @property
    def base_image_bytes(self) -> int:
        """The part of the reclaimable bytes stored in the base image's layers (not this Dockerfile's)."""
        if not len(self.waste):
            return 0
        return int(self.waste.loc[self.waste["stage"] == attribution.BASE, "bytes"].sum())

    @property
    def hidden_in_base_image_bytes(self) -> int:
        """Hidden bytes stored in the base image's layers: a rebuild of this Dockerfile cannot reclaim them."""
        if not len(self.waste):
            return 0
        rows = (self.waste["stage"] == attribution.BASE) & (self.waste["kind"] == waste.HIDDEN)
        return int(self.waste.loc[rows, "bytes"].sum())

    @property
    def hidden_bytes(self) -> int:
        return int(self.waste.loc[self.waste["kind"] == waste.HIDDEN, "bytes"].sum()) if len(self.waste) else 0

    def summary(self) -> dict:
        """A JSON-ready dict of the headline figures (no per-file rows)."""
        return {
            "tag": self.tag, "image_id": self.image_id, "sizes": asdict(self.sizes),
            "reclaimable_bytes": self.reclaimable_bytes, "hidden_bytes": self.hidden_bytes,
            "reclaimable_in_base_image_bytes": self.base_image_bytes,
            "hidden_in_base_image_bytes": self.hidden_in_base_image_bytes,
            "waste_by_category": self.waste_by_category, "build_tools": self.build_tools.as_dict(),
            "user": self.user, "user_uid": self.user_uid, "healthcheck": self.healthcheck,
            "unwanted": self.unwanted.drop(columns=["layer"]).to_dict("records") if len(self.unwanted) else [],
            "layers": self.layers.drop(columns=["diff_id"]).to_dict("records"),
        }


def want(entry: Entry) -> bool:
    """The file contents analysis needs: dpkg's database, /etc/passwd, possible private keys."""
    return (entry.path in (dpkg.STATUS, PASSWD) or dpkg.is_file_list(entry.path)
            or unwanted.want_key_candidate(entry))


def uid_of(user: str, passwd: str | None) -> int | None:
    """The uid USER names: a number as is, a name looked up in the image's /etc/passwd."""
    name = (user or "root").split(":", 1)[0]
    if name.isdigit():
        return int(name)
    for line in (passwd or "").splitlines():
        fields = line.split(":")
        if len(fields) > 2 and fields[0] == name and fields[2].isdigit():
            return int(fields[2])
    return 0 if name == "root" else None


def healthcheck_of(config: dict) -> dict | None:
    check = (config.get("config") or config.get("Config") or {}).get("Healthcheck")
    if not check or (check.get("Test") or ["NONE"])[0] == "NONE":
        return None
    return check


def layer_table(result: Replay, attributions: list[attribution.Attribution]) -> pd.DataFrame:
    rows = []
    for fact in result.layers:
        maker = fact.layer.history
        who = attributions[maker.index] if maker is not None else None
        rows.append({
            "layer": fact.layer.index, "size_bytes": fact.content_bytes, "gzip_bytes": fact.gzip_bytes,
            "symlink_bytes": fact.symlink_bytes, "files": fact.files, "whiteouts": fact.whiteouts,
            "created_by": maker.created_by if maker else "", "comment": maker.comment if maker else "",
            "keyword": who.keyword if who else "", "line": who.line if who else None,
            "stage": who.stage if who else attribution.BASE, "instruction": who.instruction if who else "",
            "diff_id": fact.layer.diff_id,
        })
    return pd.DataFrame(rows).astype({"line": "Int64"})


def waste_table(found: list[waste.WasteItem], layers: pd.DataFrame) -> pd.DataFrame:
    columns = ["path", "bytes", "category", "kind", "layer", "by_layer", "line", "stage", "instruction"]
    if not found:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame([vars(i) for i in found])  # asdict() deep-copies: slow for 10^4 rows
    frame = frame.merge(layers[["layer", "line", "stage", "instruction"]], on="layer", how="left")
    return frame[columns].sort_values("bytes", ascending=False, kind="stable").reset_index(drop=True)


def unwanted_table(found: list[unwanted.Unwanted], layers: pd.DataFrame) -> pd.DataFrame:
    columns = ["path", "kind", "bytes", "files", "visible", "layer", "line"]
    if not found:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame([asdict(u) for u in found]).merge(layers[["layer", "line"]], on="layer", how="left")
    return frame[columns].sort_values("bytes", ascending=False, kind="stable").reset_index(drop=True)


def analyse(
    image: SavedImage,
    inspect: dict | None = None,
    dockerfile_text: str | None = None,
    compressed: bool = True,
    target: str | None = None,
    weight_threshold: int = unwanted.WEIGHT_THRESHOLD,
) -> ImageReport:
    """Measure a saved image.

    Args:
        inspect: the engine's ``docker image inspect`` of it; its Size is the uncompressed size
            (the tarball's content sum is reported alongside, and matches it).
        dockerfile_text: the Dockerfile that built it, to attribute layers to lines.
        compressed: gzip every layer for the registry size (reads every byte; slower).
        target: the build target, if not the last stage.
    """
    result = replay(image, want=want, gzip=compressed)
    attributions = attribution.attribute([h.created_by for h in image.history], dockerfile_text, target)
    layers = layer_table(result, attributions)

    status = result.captured.get(dpkg.STATUS)
    status_text = status.decode(errors="replace") if status else None
    lists = {p: d for p, d in result.captured.items() if dpkg.is_file_list(p)}
    owners = dpkg.owners(lists) if lists else None
    tools = build_tools.find(result.final, status_text, owners)
    found = waste.items(result, owners, set(tools.packages))

    config = image.config
    user = (config.get("config") or {}).get("User") or ""
    passwd = result.captured.get(PASSWD)
    sizes = Sizes(
        uncompressed_bytes=int(inspect["Size"]) if inspect else result.content_bytes,
        content_bytes=result.content_bytes,
        compressed_bytes=result.gzip_bytes,
        visible_bytes=result.visible_bytes,
        layer_count=len(image.layers),
    )
    image_id = (inspect or {}).get("Id", "")
    tag = ((inspect or {}).get("RepoTags") or image.repo_tags or [""])[0]
    return ImageReport(
        tag=tag, image_id=image_id, sizes=sizes, layers=layers,
        waste=waste_table(found, layers),
        unwanted=unwanted_table(unwanted.find(result, weight_threshold), layers),
        build_tools=tools, user=user,
        user_uid=uid_of(user, passwd.decode(errors="replace") if passwd else None),
        healthcheck=healthcheck_of(config), waste_by_category=waste.by_category(found),
    )
