"""``dockopt fleet``: many projects, each measured by ``dockopt report`` on a pool of engines, one index.

One noun per module: ``config`` (the fleet YAML), ``engines`` (pool members: how to reach and
describe one), ``pool`` (the queue: one worker per engine, one retry elsewhere), ``results``
(one project's numbers, read back from its report and the engine's history file), ``lint``
(static findings per project), ``index_page`` (index.html and fleet.json).
"""
