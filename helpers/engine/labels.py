"""The label every image, container and volume dockopt creates carries, so cleanup removes only ours."""

LABEL = "org.dockopt.managed"
RECIPE_LABEL = "org.dockopt.recipe"
RUN_LABEL = "org.dockopt.run"


def ours(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Labels for a new object: the managed marker plus any extra key/values."""
    labels = {LABEL: "true"}
    labels.update(extra or {})
    return labels
