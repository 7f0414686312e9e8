"""The labels every image, container and volume dockopt creates carries, so cleanup removes only ours.

``org.dockopt.render`` names the report render (its run id) a container was started for:
a render that is interrupted removes its own containers by it, not another render's. The
render's run id is this process's (``use_render``), kept in the environment so the docker
clients and other processes it starts see the same one.
"""

import os

LABEL = "org.dockopt.managed"
RECIPE_LABEL = "org.dockopt.recipe"
RUN_LABEL = "org.dockopt.run"
RENDER_LABEL = "org.dockopt.render"
RENDER_ENV = "DOCKOPT_RUN_ID"


def ours(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Labels for a new object: the managed marker plus any extra key/values."""
    labels = {LABEL: "true"}
    labels.update(extra or {})
    return labels


def use_render(run_id: str | None) -> None:
    """Containers this process starts from now on carry ``run_id`` as their render label (None: none)."""
    if run_id:
        os.environ[RENDER_ENV] = run_id
    else:
        os.environ.pop(RENDER_ENV, None)


def current_render() -> str | None:
    return os.environ.get(RENDER_ENV) or None


def for_container(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Labels for a container: ours, plus the render it runs for (when there is one)."""
    render = current_render()
    return ours({**({RENDER_LABEL: render} if render else {}), **(extra or {})})
