"""The measurement history: one SQLite file of runs, variants, scenarios, steps and metrics.

Each finished scenario is committed at once, so a run that dies half way (engine gone, disk
full, Ctrl-C) keeps what it measured. A scenario carries the cache key it was measured
under; a later run with the same key reuses it (``find_reusable``) instead of building,
but only a measurement whose variant finished with its image recorded: what an interrupted
run left half done is measured again, never shown as failed or 0 MB.

Every run row carries the render's run id (``render_id``: the notebooks' ``run_id``
parameter), so each page of one render reads that render's measurements, never "the latest"
(another render may be writing to the same file). Several processes may share one file:
it is opened in WAL mode (readers never block the one writer) and a writer waits for the
lock (``BUSY_TIMEOUT_S``) instead of failing.

The schema is versioned: an older file is migrated forward, a newer one is refused rather
than misread.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from helpers.errors import DockoptError

SCHEMA_VERSION = 3
BUSY_TIMEOUT_S = 120  # a writer waits this long for another process's transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    engine_version TEXT,
    cpus INTEGER,
    git_commit TEXT,
    host TEXT,
    run_label TEXT,            -- value of the org.dockopt.run label on what this run created
    note TEXT
);
CREATE TABLE IF NOT EXISTS variants (
    variant_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    name TEXT NOT NULL,
    dockerfile TEXT,
    context TEXT,
    dockerfile_digest TEXT,
    context_digest TEXT,
    base_images TEXT,          -- JSON {reference: image id}
    build_args TEXT,           -- JSON
    image_tag TEXT,
    image_id TEXT,
    status TEXT NOT NULL,      -- ok | failed | running
    error TEXT,
    log_tail TEXT
);
CREATE TABLE IF NOT EXISTS scenarios (
    scenario_id INTEGER PRIMARY KEY,
    variant_id INTEGER NOT NULL REFERENCES variants(variant_id),
    scenario TEXT NOT NULL,    -- cold | noop | code | deps
    cache_key TEXT,
    repeats INTEGER,
    median_s REAL,
    min_s REAL,
    max_s REAL,
    status TEXT NOT NULL,      -- ok | failed | skipped
    error TEXT,
    log_tail TEXT,
    changed_file TEXT,
    method TEXT,               -- how the scenario was produced, what it excludes
    reused_from INTEGER REFERENCES scenarios(scenario_id),
    measured_at TEXT
);
CREATE TABLE IF NOT EXISTS scenario_repeats (
    scenario_id INTEGER NOT NULL REFERENCES scenarios(scenario_id),
    repeat INTEGER NOT NULL,
    seconds REAL,
    image_id TEXT,
    ok INTEGER,
    lock_wait_s REAL
);
CREATE TABLE IF NOT EXISTS steps (
    scenario_id INTEGER NOT NULL REFERENCES scenarios(scenario_id),
    repeat INTEGER NOT NULL,
    vertex INTEGER,
    kind TEXT,
    stage TEXT,
    step_index INTEGER,
    step_total INTEGER,
    keyword TEXT,
    instruction TEXT,
    line INTEGER,
    seconds REAL,
    cached INTEGER,
    ran INTEGER,
    error TEXT
);
CREATE TABLE IF NOT EXISTS metrics (
    variant_id INTEGER NOT NULL REFERENCES variants(variant_id),
    key TEXT NOT NULL,
    value REAL,
    unit TEXT
);
CREATE INDEX IF NOT EXISTS scenarios_by_key ON scenarios(cache_key, status);
"""

# Version 2: analyses of a built image (layers, waste, runtime checks, security scan), cached by
# a key of the image id and the analysing code, so a re-render reads instead of re-analysing.
SCHEMA_V2 = """
CREATE TABLE IF NOT EXISTS analyses (
    cache_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,        -- image | runtime | security | ...
    image_id TEXT,
    created_at TEXT NOT NULL,
    seconds REAL,              -- how long the analysis took when it ran
    payload BLOB NOT NULL      -- pickled result object
);
"""


# Version 3: the render's run id on every run row, so pages read their own render's rows.
SCHEMA_V3 = (
    "ALTER TABLE runs ADD COLUMN render_id TEXT",
    "CREATE INDEX IF NOT EXISTS runs_by_render ON runs(render_id)",
)


class SchemaTooNew(DockoptError):
    """The history file was written by a newer dockopt."""


@dataclass(frozen=True)
class RunInfo:
    engine_version: str | None = None
    cpus: int | None = None
    git_commit: str | None = None
    host: str | None = None
    run_label: str | None = None
    note: str | None = None
    render_id: str | None = None  # the run id of the report render this measurement belongs to


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_run_id() -> str:
    """A render's run id: when it started (sortable, readable) and a random part (unique)."""
    import uuid

    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def _statements(script: str) -> list[str]:
    """The statements of a script, to run one by one inside our own transaction
    (``executescript`` would commit first and release the lock)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return [s for s in out if s]


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring a file to SCHEMA_VERSION; refuse one from the future.

    The check and the change run in one write transaction (``BEGIN IMMEDIATE``), so two
    processes opening a new or older file at once migrate it once, not twice."""
    if _version(conn) == SCHEMA_VERSION:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        found = _version(conn)
        if found is not None and found > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"The history file {path} has schema version {found}; this dockopt reads up to {SCHEMA_VERSION}.",
                hint="upgrade dockopt, or pass --history with another file (this one is left untouched).",
            )
        if found != SCHEMA_VERSION:
            if found is None:
                for statement in _statements(SCHEMA):
                    conn.execute(statement)
            if found is None or found < 2:
                for statement in _statements(SCHEMA_V2):
                    conn.execute(statement)
            for statement in SCHEMA_V3:
                conn.execute(statement)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def _use_wal(conn: sqlite3.Connection, attempts: int = 300) -> None:
    """Switch the file to WAL (it stays so). The switch needs the file to itself and SQLite does
    not wait for that with the busy timeout, so a new file opened by two processes at once retries."""
    import time

    for attempt in range(attempts):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


def _version(conn: sqlite3.Connection) -> int | None:
    try:
        return conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    except sqlite3.OperationalError:  # no table yet: a new file
        return None


class History:
    """A connection to a history file; every write commits, so partial runs are kept."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            found = _version(self.conn)
            if found is None or found <= SCHEMA_VERSION:  # a newer file is refused below, untouched
                _use_wal(self.conn)
            _migrate(self.conn, self.path)
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _insert(self, table: str, row: dict) -> int:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(row.values()))
        self.conn.commit()
        return cur.lastrowid

    def start_run(self, info: RunInfo) -> int:
        return self._insert("runs", {"started_at": now(), **info.__dict__})

    def add_variant(self, run_id: int, name: str, **fields) -> int:
        for key in ("base_images", "build_args"):
            if key in fields and not isinstance(fields[key], str):
                fields[key] = json.dumps(fields[key], sort_keys=True)
        return self._insert("variants", {"run_id": run_id, "name": name, "status": "running", **fields})

    def update_variant(self, variant_id: int, **fields) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        self.conn.execute(f"UPDATE variants SET {sets} WHERE variant_id = ?", [*fields.values(), variant_id])
        self.conn.commit()

    def add_scenario(self, variant_id: int, scenario: str, *, repeat_rows: list[dict] | None = None,
                     steps: list[dict] | None = None, **fields) -> int:
        """Store one scenario, its repeats and steps in one transaction."""
        row = {"variant_id": variant_id, "scenario": scenario, "measured_at": now(), **fields}
        with self.conn:
            cur = self.conn.execute(
                f"INSERT INTO scenarios ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                list(row.values()))
            sid = cur.lastrowid
            for rep in repeat_rows or []:
                self.conn.execute(
                    "INSERT INTO scenario_repeats (scenario_id, repeat, seconds, image_id, ok, lock_wait_s) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (sid, rep["repeat"], rep.get("seconds"), rep.get("image_id"), int(rep.get("ok", True)),
                     rep.get("lock_wait_s")))
            for step in steps or []:
                self.conn.execute(
                    "INSERT INTO steps (scenario_id, repeat, vertex, kind, stage, step_index, step_total, "
                    "keyword, instruction, line, seconds, cached, ran, error) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sid, step["repeat"], step["vertex"], step["kind"], step["stage"], step["index"],
                     step["total"], step["keyword"], step["instruction"], step["line"], step["seconds"],
                     int(step["cached"]), int(step["ran"]), step["error"]))
        return sid

    def add_metric(self, variant_id: int, key: str, value: float, unit: str) -> None:
        self._insert("metrics", {"variant_id": variant_id, "key": key, "value": value, "unit": unit})

    def find_reusable(self, cache_key: str, render_id: str | None = None) -> dict | None:
        """A successful measurement made under ``cache_key`` (the original, not a reuse) whose
        variant finished with its image recorded; this render's own first, then the newest.

        A scenario of a variant that never completed (interrupted, or failed in a later
        scenario) is not reused: its image was never recorded, so the page would have nothing
        to analyse and would show the variant as failed or 0 MB; it is measured again."""
        self.conn.row_factory = sqlite3.Row
        try:
            row = self.conn.execute(
                "SELECT s.* FROM scenarios s JOIN variants v USING (variant_id) JOIN runs r USING (run_id) "
                "WHERE s.cache_key = ? AND s.status = 'ok' AND s.reused_from IS NULL "
                "AND v.status = 'ok' AND v.image_id IS NOT NULL AND v.image_id != '' "
                "ORDER BY COALESCE(r.render_id = ?, 0) DESC, s.scenario_id DESC LIMIT 1",
                (cache_key, render_id)).fetchone()
        finally:
            self.conn.row_factory = None
        return dict(row) if row else None

    def scenario_name(self, scenario_id: int) -> str:
        return self.conn.execute("SELECT scenario FROM scenarios WHERE scenario_id = ?", (scenario_id,)).fetchone()[0]

    def reused_image(self, variant_id: int, scenario: str | None = None) -> str | None:
        """The image an earlier measurement this variant reused was made with: that of its reused
        cold scenario first (the image a variant is analysed as is the one its cold build made),
        else the newest reused one; only ``scenario``'s when given."""
        row = self.conn.execute(
            "SELECT v.image_id FROM scenarios s JOIN scenarios o ON o.scenario_id = s.reused_from "
            "JOIN variants v ON v.variant_id = o.variant_id WHERE s.variant_id = ? AND v.image_id IS NOT NULL "
            "AND (? IS NULL OR s.scenario = ?) ORDER BY s.scenario = 'cold' DESC, o.scenario_id DESC LIMIT 1",
            (variant_id, scenario, scenario)).fetchone()
        return row[0] if row else None

    def get_analysis(self, cache_key: str):
        import pickle

        row = self.conn.execute("SELECT payload FROM analyses WHERE cache_key = ?", (cache_key,)).fetchone()
        return pickle.loads(row[0]) if row else None

    # build cache dockopt created and could not release yet (helpers.builds.build_cache) -----------------

    def _cache_table(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS cache_records (record_id TEXT PRIMARY KEY, added_at TEXT)")

    def remember_cache_records(self, ids: list[str]) -> None:
        self._cache_table()
        self.conn.executemany("INSERT OR IGNORE INTO cache_records VALUES (?, ?)", [(i, now()) for i in ids])
        self.conn.commit()

    def cache_records(self) -> list[str]:
        self._cache_table()
        return [r[0] for r in self.conn.execute("SELECT record_id FROM cache_records")]

    def forget_cache_records(self, ids: list[str]) -> None:
        self._cache_table()
        self.conn.executemany("DELETE FROM cache_records WHERE record_id = ?", [(i,) for i in ids])
        self.conn.commit()

    def disk_estimate(self, dockerfiles: list[str]) -> int | None:
        """Bytes the engine's disk grew while these Dockerfiles were last measured (None: never measured)."""
        total, known = 0, False
        for dockerfile in dockerfiles:
            row = self.conn.execute(
                "SELECT m.value FROM metrics m JOIN variants v ON v.variant_id = m.variant_id "
                "WHERE v.dockerfile = ? AND m.key = 'disk.peak_growth' ORDER BY m.rowid DESC LIMIT 1",
                (dockerfile,)).fetchone()
            if row and row[0] is not None:
                total, known = total + int(row[0]), True
        return total if known else None

    def typical_disk_growth(self) -> int | None:
        """The median disk growth of one measured Dockerfile across the history (None: none recorded)."""
        import statistics

        values = [r[0] for r in self.conn.execute("SELECT value FROM metrics WHERE key = 'disk.peak_growth'")
                  if r[0] is not None]
        return int(statistics.median(values)) if values else None

    def estimate(self, dockerfile: str, scenario: str) -> float | None:
        """The newest measured median of ``scenario`` for this Dockerfile: what a live build expects."""
        row = self.conn.execute(
            "SELECT s.median_s FROM scenarios s JOIN variants v ON v.variant_id = s.variant_id "
            "WHERE v.dockerfile = ? AND s.scenario = ? AND s.status = 'ok' AND s.median_s IS NOT NULL "
            "ORDER BY s.scenario_id DESC LIMIT 1", (dockerfile, scenario)).fetchone()
        return float(row[0]) if row else None

    def analysis_seconds(self, kind: str) -> float | None:
        """How long the newest analysis of ``kind`` took to compute (e.g. the emulated platform builds)."""
        row = self.conn.execute("SELECT seconds FROM analyses WHERE kind = ? ORDER BY rowid DESC LIMIT 1",
                                (kind,)).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def analysis_created_at(self, cache_key: str) -> str | None:
        """When the analysis stored under ``cache_key`` was computed (None: never)."""
        row = self.conn.execute("SELECT created_at FROM analyses WHERE cache_key = ?", (cache_key,)).fetchone()
        return row[0] if row else None

    def put_analysis(self, cache_key: str, kind: str, image_id: str | None, payload, seconds: float) -> None:
        import pickle

        self.conn.execute("INSERT OR REPLACE INTO analyses VALUES (?, ?, ?, ?, ?, ?)",
                          (cache_key, kind, image_id, now(), seconds, pickle.dumps(payload)))
        self.conn.commit()

    # DataFrames for notebooks -------------------------------------------------------------

    def _frame(self, sql: str, params: tuple = ()):
        import pandas as pd

        return pd.read_sql_query(sql, self.conn, params=params)

    def runs(self):
        return self._frame("SELECT * FROM runs ORDER BY run_id")

    def scenarios(self, run_id: int):
        """One row per variant and scenario of one run: median, min, max, repeats, status."""
        return self._frame(
            "SELECT r.run_id, r.render_id, r.started_at, r.engine_version, r.cpus, r.git_commit, v.variant_id, "
            "v.name AS variant, v.image_id, v.status AS variant_status, s.scenario_id, s.scenario, "
            "s.repeats, s.median_s, s.min_s, s.max_s, s.status, s.error, s.changed_file, s.method, "
            "s.reused_from, s.measured_at "
            "FROM scenarios s JOIN variants v USING (variant_id) JOIN runs r USING (run_id) "
            "WHERE r.run_id = ? ORDER BY s.scenario_id", (run_id,))

    def repeats(self, scenario_id: int):
        return self._frame("SELECT * FROM scenario_repeats WHERE scenario_id = "
                          "(SELECT COALESCE(reused_from, scenario_id) FROM scenarios WHERE scenario_id = ?) "
                          "ORDER BY repeat", (scenario_id,))

    def steps(self, scenario_id: int):
        """Per-step records of a scenario (a reused scenario shows the steps it was measured with)."""
        return self._frame("SELECT * FROM steps WHERE scenario_id = "
                          "(SELECT COALESCE(reused_from, scenario_id) FROM scenarios WHERE scenario_id = ?) "
                          "ORDER BY repeat, vertex", (scenario_id,))

    def variants(self, run_id: int):
        return self._frame("SELECT * FROM variants WHERE run_id = ? ORDER BY variant_id", (run_id,))

    def variant(self, variant_id: int) -> dict | None:
        """One variant row by its id (what a page measured, whatever other runs wrote since)."""
        self.conn.row_factory = sqlite3.Row
        try:
            row = self.conn.execute("SELECT * FROM variants WHERE variant_id = ?", (variant_id,)).fetchone()
        finally:
            self.conn.row_factory = None
        return dict(row) if row else None

    def render_runs(self, render_id: str):
        """The runs (one per measured variant) of one report render, in order."""
        return self._frame("SELECT * FROM runs WHERE render_id = ? ORDER BY run_id", (render_id,))

    def code_rebuilds(self, context: str):
        """Every measured (not reused) code-change rebuild median of ``context``'s variants, oldest run first:
        started, variant, value."""
        return self._frame(
            "SELECT r.started_at AS started, v.name AS variant, s.median_s AS value FROM scenarios s "
            "JOIN variants v ON v.variant_id = s.variant_id JOIN runs r ON r.run_id = v.run_id "
            "WHERE s.scenario = 'code' AND s.status = 'ok' AND s.reused_from IS NULL AND v.context = ? "
            "ORDER BY r.started_at", (context,))

    def metrics(self, variant_id: int | None = None):
        if variant_id is None:
            return self._frame("SELECT v.name AS variant, m.* FROM metrics m JOIN variants v USING (variant_id)")
        return self._frame("SELECT * FROM metrics WHERE variant_id = ?", (variant_id,))

    def latest_run_id(self) -> int | None:
        """The newest run in the file, for a person at a prompt; pages read their render's runs."""
        row = self.conn.execute("SELECT MAX(run_id) FROM runs").fetchone()
        return row[0]


def open_history(path: Path | str | None = None) -> History:
    from helpers.paths import DEFAULT_HISTORY

    return History(path or DEFAULT_HISTORY)


def schema_version(path: Path | str) -> int | None:
    with closing(sqlite3.connect(path)) as conn:
        try:
            return conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        except sqlite3.OperationalError:
            return None


# Where a render's time went (helpers.report.render_split) -----------------------------------
# Written on every timed block of a render, so through a plain connection that neither migrates nor
# switches the journal mode: cheap, and a failure (``Error``) is the caller's to report, never a
# broken render.

Error = sqlite3.Error  # what a failed read or write of a history file raises

RENDER_TIME = """CREATE TABLE IF NOT EXISTS render_time (
    render_id TEXT NOT NULL, category TEXT NOT NULL, what TEXT, seconds REAL NOT NULL, at REAL NOT NULL)"""


def record_render_time(path: Path | str, render_id: str, category: str, what: str, seconds: float,
                       at: float) -> None:
    with closing(sqlite3.connect(path, timeout=30)) as db, db:
        db.execute(RENDER_TIME)
        db.execute("INSERT INTO render_time VALUES (?, ?, ?, ?, ?)", (render_id, category, what, seconds, at))


def render_time(path: Path | str, render_id: str) -> list[tuple[str, str | None, float]]:
    """(category, what, seconds) recorded for one render, in the order they were recorded."""
    with closing(sqlite3.connect(path, timeout=60)) as db, db:
        db.execute(RENDER_TIME)
        return db.execute("SELECT category, what, seconds FROM render_time WHERE render_id = ? ORDER BY at",
                          (render_id,)).fetchall()


def latest_render_id(path: Path | str) -> str | None:
    """The render that recorded time last."""
    with closing(sqlite3.connect(path, timeout=60)) as db, db:
        db.execute(RENDER_TIME)
        row = db.execute("SELECT render_id FROM render_time ORDER BY at DESC LIMIT 1").fetchone()
    return row[0] if row else None


class ReadOnlyHistory:
    """A history file opened read-only (``mode=ro``), to read what another process (a fleet
    member's report) measured without creating, migrating or write-locking the file."""

    def __init__(self, path: Path | str) -> None:
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "ReadOnlyHistory":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def newest_built_variant(self, image_tag: str) -> tuple | None:
        """(variant_id, image_id, engine_version, cpus) of the newest variant that built ``image_tag``."""
        return self.conn.execute(
            "SELECT v.variant_id, v.image_id, r.engine_version, r.cpus FROM variants v JOIN runs r USING (run_id) "
            "WHERE v.image_tag = ? AND v.status = 'ok' AND v.image_id IS NOT NULL "
            "ORDER BY v.variant_id DESC LIMIT 1", (image_tag,)).fetchone()

    def scenario_timing(self, variant_id: int, scenario: str) -> tuple | None:
        """(median_s, reused_from, engine_version, cpus) of a variant's successful scenario; the engine
        and cpus are those of the run that measured it when it was reused (else None)."""
        return self.conn.execute(
            "SELECT s.median_s, s.reused_from, r.engine_version, r.cpus FROM scenarios s "
            "LEFT JOIN scenarios o ON o.scenario_id = s.reused_from "
            "LEFT JOIN variants ov ON ov.variant_id = o.variant_id LEFT JOIN runs r ON r.run_id = ov.run_id "
            "WHERE s.variant_id = ? AND s.scenario = ? AND s.status = 'ok'", (variant_id, scenario)).fetchone()

    def newest_analysis(self, kind: str, image_id: str):
        """The newest analysis of ``kind`` for an image, None when there is none or another dockopt
        version wrote it (not ours to read)."""
        import pickle

        row = self.conn.execute("SELECT payload FROM analyses WHERE kind = ? AND image_id = ? "
                                "ORDER BY created_at DESC, rowid DESC LIMIT 1", (kind, image_id)).fetchone()
        if not row:
            return None
        try:
            return pickle.loads(row[0])
        except Exception:  # written by another dockopt version: not ours to read
            return None
