"""An engine over recorded build cache records that prunes as BuildKit 0.8 (Docker 20.10) does.

What it does is what the real engine was seen to do (tests/integration/test_build_cache_engine.py
checks the same on the engine, tests/fixtures/engine/build_cache/ holds what it answered):
one value per filter, the ``id`` value a regular expression searched in the id, records an image
shares or a build uses skipped, a record with a child kept until the child goes, and one call
going round until a round frees nothing. It counts the calls it gets.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import docker.errors

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "engine" / "build_cache"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


class RecordedBuildKit:
    def __init__(self, records: list[dict]):
        self.records = {r["ID"]: dict(r) for r in records}
        self.calls: Counter = Counter()
        self.api = self  # the SDK's low-level client: cli.api.prune_builds

    def df(self) -> dict:
        self.calls["df"] += 1
        return {"BuildCache": [dict(r) for r in self.records.values()]}

    def prune_builds(self, filters=None, keep_storage=None, all=None):
        self.calls["prune"] += 1
        values = {k: v if isinstance(v, list) else [v] for k, v in (filters or {}).items()}
        if any(len(v) > 1 for v in values.values()):
            raise docker.errors.APIError('400 Client Error: Bad Request ("filters expect only one value")')
        pattern = re.compile(values["id"][0]) if "id" in values else None
        deleted, size = [], 0
        while True:
            parents = {r.get("Parent") for r in self.records.values()}
            round_ = [rid for rid, r in self.records.items()
                      if (pattern is None or pattern.search(rid)) and rid not in parents
                      and not r.get("InUse") and (all or not r.get("Shared"))]
            if not round_:
                break
            for rid in round_:
                size += int(self.records.pop(rid).get("Size") or 0)
                deleted.append(rid)
        return {"CachesDeleted": deleted or None, "SpaceReclaimed": size}
