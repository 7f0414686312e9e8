"""The engine answers one disk-usage query at a time: a second asker waits instead of failing."""

import docker.errors
import pytest

from helpers.engine import build_records


class BusyEngine:
    """An engine that refuses ``busy`` disk-usage queries first, as Docker does while another one runs
    (the message is the engine's, seen when two renders shared one engine)."""

    def __init__(self, busy: int, error: str = build_records.DF_BUSY):
        self.busy, self.error, self.calls = busy, error, 0

    def df(self):
        self.calls += 1
        if self.calls <= self.busy:
            raise docker.errors.APIError(f'500 Server Error: Internal Server Error ("{self.error}")')
        return {"BuildCache": [{"ID": "m1", "Type": "exec.cachemount", "Size": 1}]}


def test_records_wait_while_another_disk_usage_query_runs(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    engine = BusyEngine(busy=3)
    assert list(build_records.records(engine)) == ["m1"] and engine.calls == 4


def test_other_errors_and_an_endless_wait_still_raise(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda s: None)
    with pytest.raises(docker.errors.APIError):
        build_records.records(BusyEngine(busy=1, error="something else"))
    with pytest.raises(docker.errors.APIError):
        build_records.records(BusyEngine(busy=5), attempts=3)
