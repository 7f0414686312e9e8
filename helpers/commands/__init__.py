"""One module per ``dockopt`` subcommand, each with ``register(subparsers)``; listed in helpers.cli."""
