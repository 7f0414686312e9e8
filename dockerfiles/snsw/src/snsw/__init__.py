"""snsw: speech/noise separation workbench (sample project for dockopt)."""

from snsw.model import SeparationModel

__version__ = "0.3.0"
__all__ = ["SeparationModel", "__version__"]
