"""An image's static measurements in one object, built from its layers (no engine API needed).

``analyse`` makes one pass over the layers (two reads of nothing: contents are skipped by
seeking unless a compressed size is asked for) and derives everything else from the replayed
filesystem, so a notebook, the CLI and the tests see the same numbers.

The tables are kept as rows and turned into DataFrames on first use: pandas costs about 60 MB
of memory and most of a second to import, which ``dockopt inspect`` never needs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property

from helpers.dockerfile import history_match
from helpers.image.archive import Entry
from helpers.image.reader import ImageReader
from helpers.measure import build_tools, dpkg, unwanted, waste
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
    ``waste`` (one row per reclaimable file), ``unwanted`` (files or folders that should not ship);
    each built on first use from its rows (``layer_rows``, ``waste_rows``, ``unwanted_rows``:
    lists of dicts, in the same order).
    """

    tag: str
    image_id: str
    sizes: Sizes
    layer_rows: list[dict]
    waste_rows: list[dict]
    unwanted_rows: list[dict]
    build_tools: build_tools.BuildTools
    user: str  # as configured (USER); "" means root
    user_uid: int | None  # that user's uid per the image's /etc/passwd (None if it cannot tell)
    healthcheck: dict | None  # the configured HEALTHCHECK, None if absent or NONE
    waste_by_category: dict[str, int] = field(default_factory=dict)
    source: str = ""  # where the layers were read from: the engine's layer store or a docker save tarball

    @cached_property
    def layers(self):
        import pandas as pd

        return pd.DataFrame(self.layer_rows).astype({"line": "Int64"})

    @cached_property
    def waste(self):
        import pandas as pd

        if not self.waste_rows:
            return pd.DataFrame(columns=WASTE_COLUMNS)
        return pd.DataFrame(self.waste_rows, columns=WASTE_COLUMNS).astype({"line": "Int64"})

    @cached_property
    def unwanted(self):
        import pandas as pd

        if not self.unwanted_rows:
            return pd.DataFrame(columns=UNWANTED_COLUMNS)
        return pd.DataFrame(self.unwanted_rows, columns=UNWANTED_COLUMNS).astype({"line": "Int64"})

    @property
    def reclaimable_bytes(self) -> int:
        return sum(r["bytes"] for r in self.waste_rows)

    @property
    def base_image_bytes(self) -> int:
        """The part of the reclaimable bytes stored in the base image's layers (not this Dockerfile's)."""
        return sum(r["bytes"] for r in self.waste_rows if r["stage"] == history_match.BASE)

    @property
    def hidden_in_base_image_bytes(self) -> int:
        """Hidden bytes stored in the base image's layers: a rebuild of this Dockerfile cannot reclaim them."""
        return sum(r["bytes"] for r in self.waste_rows
                   if r["stage"] == history_match.BASE and r["kind"] == waste.HIDDEN)

    @property
    def hidden_bytes(self) -> int:
        return sum(r["bytes"] for r in self.waste_rows if r["kind"] == waste.HIDDEN)

    def summary(self) -> dict:
        """A JSON-ready dict of the headline figures (no per-file rows)."""
        return {
            "tag": self.tag, "image_id": self.image_id, "source": self.source, "sizes": asdict(self.sizes),
            "reclaimable_bytes": self.reclaimable_bytes, "hidden_bytes": self.hidden_bytes,
            "reclaimable_in_base_image_bytes": self.base_image_bytes,
            "hidden_in_base_image_bytes": self.hidden_in_base_image_bytes,
            "waste_by_category": self.waste_by_category, "build_tools": self.build_tools.as_dict(),
            "user": self.user, "user_uid": self.user_uid, "healthcheck": self.healthcheck,
            "unwanted": [{k: v for k, v in r.items() if k != "layer"} for r in self.unwanted_rows],
            "layers": [{k: v for k, v in r.items() if k != "diff_id"} for r in self.layer_rows],
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


WASTE_COLUMNS = ["path", "bytes", "category", "kind", "layer", "by_layer", "line", "stage", "instruction"]
UNWANTED_COLUMNS = ["path", "kind", "bytes", "files", "visible", "layer", "line"]


def layer_table(result: Replay, attributions: list[history_match.Attribution]) -> list[dict]:
    rows = []
    for fact in result.layers:
        maker = fact.layer.history
        who = attributions[maker.index] if maker is not None else None
        rows.append({
            "layer": fact.layer.index, "size_bytes": fact.content_bytes, "gzip_bytes": fact.gzip_bytes,
            "symlink_bytes": fact.symlink_bytes, "files": fact.files, "whiteouts": fact.whiteouts,
            "created_by": maker.created_by if maker else "", "comment": maker.comment if maker else "",
            "keyword": who.keyword if who else "", "line": who.line if who else None,
            "stage": who.stage if who else history_match.BASE, "instruction": who.instruction if who else "",
            "diff_id": fact.layer.diff_id,
        })
    return rows


def waste_table(found: list[waste.WasteItem], layers: list[dict]) -> list[dict]:
    """One row per reclaimable file with its layer's line, stage and instruction; largest first."""
    by_layer = {r["layer"]: r for r in layers}
    rows = []
    for item in found:  # vars(), not asdict(): asdict() deep-copies, slow for 10^4 rows
        row = dict.fromkeys(WASTE_COLUMNS)
        row.update(vars(item))
        made = by_layer.get(item.layer)
        if made is not None:
            row.update(line=made["line"], stage=made["stage"], instruction=made["instruction"])
        rows.append(row)
    rows.sort(key=lambda r: r["bytes"], reverse=True)  # stable: ties keep the order found
    return rows


def unwanted_table(found: list[unwanted.Unwanted], layers: list[dict]) -> list[dict]:
    lines = {r["layer"]: r["line"] for r in layers}
    rows = [{**{k: v for k, v in asdict(u).items() if k in UNWANTED_COLUMNS}, "line": lines.get(u.layer)}
            for u in found]
    rows = [{k: r[k] for k in UNWANTED_COLUMNS} for r in rows]
    rows.sort(key=lambda r: r["bytes"], reverse=True)
    return rows


def analyse(
    image: ImageReader,
    inspect: dict | None = None,
    dockerfile_text: str | None = None,
    compressed: bool = True,
    target: str | None = None,
    weight_threshold: int = unwanted.WEIGHT_THRESHOLD,
) -> ImageReport:
    """Measure an opened image, whichever reader opened it.

    Args:
        inspect: the engine's ``docker image inspect`` of it; its Size is the uncompressed size
            (the tarball's content sum is reported alongside, and matches it).
        dockerfile_text: the Dockerfile that built it, to attribute layers to lines.
        compressed: gzip every layer for the registry size (reads every byte; slower).
        target: the build target, if not the last stage.
    """
    result = replay(image, want=want, gzip=compressed)
    attributions = history_match.attribute([h.created_by for h in image.history], dockerfile_text, target)
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
        tag=tag, image_id=image_id, sizes=sizes, layer_rows=layers,
        waste_rows=waste_table(found, layers),
        unwanted_rows=unwanted_table(unwanted.find(result, weight_threshold), layers),
        build_tools=tools, user=user,
        user_uid=uid_of(user, passwd.decode(errors="replace") if passwd else None),
        healthcheck=healthcheck_of(config), waste_by_category=waste.by_category(found),
    )
