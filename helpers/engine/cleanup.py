"""Remove what dockopt created, and only that: objects carrying the dockopt label.

Containers go first (they pin images), then volumes, then images. dockopt's base images are
kept unless asked for, because rebuilding them takes minutes; they are found by their tags,
not their recipe label, since every image built FROM them inherits that label. ``run_label``
narrows everything to one run's objects, which is what tests on a shared engine use. The
layer build cache is shared by every build on the engine and cannot be attributed to one
builder, so it is left to BuildKit's own garbage collection; the cache mounts a measurement
creates are pruned by that measurement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from helpers.engine import connect
from helpers.engine.labels import LABEL, RENDER_LABEL, RUN_LABEL


@dataclass
class Removed:
    containers: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # "what: why" for objects that could not go

    def summary(self) -> str:
        text = (f"removed {len(self.containers)} container(s), {len(self.volumes)} volume(s), "
                f"{len(self.images)} image(s)")
        return text + "".join(f"\n  kept {k}" for k in self.kept)


def label_filter(run_label: str | None) -> list[str]:
    return [f"{RUN_LABEL}={run_label}"] if run_label else [LABEL]


def base_image_ids(cli) -> set[str]:
    import docker.errors

    from helpers.engine import base_images

    ids = set()
    for tag in (base_images.ROOTFS_TAG, base_images.PYTHON_TAG, base_images.MINIMAL_TAG):
        try:
            ids.add(cli.images.get(tag).id)
        except docker.errors.ImageNotFound:
            pass
    return ids


def clean(run_label: str | None = None, include_bases: bool = False, cli=None) -> Removed:
    import docker.errors

    cli = cli or connect.client()
    out = Removed()
    labels = label_filter(run_label)
    for container in cli.containers.list(all=True, filters={"label": labels}):
        try:
            container.remove(force=True, v=True)
            out.containers.append(container.name)
        except docker.errors.APIError as exc:
            out.kept.append(f"container {container.name}: {exc.explanation}")
    for volume in cli.volumes.list(filters={"label": labels}):
        try:
            volume.remove(force=True)
            out.volumes.append(volume.name)
        except docker.errors.APIError as exc:
            out.kept.append(f"volume {volume.name}: {exc.explanation}")
    keep = set() if include_bases else base_image_ids(cli)
    for image in cli.images.list(all=True, filters={"label": labels}):
        if image.id in keep:
            continue
        refs = image.tags or [image.id]
        for ref in refs:
            try:
                cli.images.remove(ref, noprune=False)
                out.images.append(ref)
            except docker.errors.ImageNotFound:
                pass  # went with an earlier tag of the same image
            except docker.errors.APIError as exc:
                out.kept.append(f"image {ref}: {exc.explanation}")
    return out



def remove_render_containers(run_id: str) -> list[str]:
    """Remove the containers labelled with one render's id (those its interrupted kernel could not).

    Never raises: the engine being gone is not a reason to hide the interrupt that got us here."""
    import docker.errors

    removed = []
    try:
        cli = connect.client(timeout=30)
        for container in cli.containers.list(all=True, filters={"label": f"{RENDER_LABEL}={run_id}"}):
            try:
                container.remove(force=True)
                removed.append(container.name)
            except docker.errors.NotFound:
                pass
    except Exception:  # noqa: BLE001 - see the docstring
        pass
    return removed
