"""An image's layers, wherever they come from, and the measurement API over them.

``reader.ImageReader`` is the one interface measure/ and security/ read; ``archive`` (a
``docker save`` tarball) and ``layer_store`` (a local engine's overlay2 store) implement it, and
``source.read_image`` chooses between them for an engine image. ``inspection`` is what notebooks
and the CLI call.
"""
