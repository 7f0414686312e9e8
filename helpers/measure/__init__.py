"""Pure measurements over what the engine returns (a saved tarball, inspect and history JSON).

Nothing here talks to Docker, so every function is tested from recorded fixtures:

* ``replay``: apply layers in order; the final filesystem, hidden bytes, per-layer sizes, gzip sizes;
* which Dockerfile line made each layer is :mod:`helpers.dockerfile.history_match`'s answer;
* ``waste``: reclaimable bytes by category, with paths;
* ``build_tools`` and ``dpkg``: compilers, headers and build-only packages left in the image;
* ``unwanted``: .git, .env, private keys, model weights, tests and docs folders;
* ``report``: all of it as one ``ImageReport`` (``analyse``).

Reuse for content checks (secrets, setuid bits): ``replay(image, want=...)`` hands back the
bytes of the files ``want`` selects, for the visible version (``captured``) and for versions a
later layer hid (``captured_hidden``), in the same single pass; ``Replay.final`` and
``Replay.hidden`` carry each file's mode and uid.
"""
