"""The experiments book: experiments and the request log, beside the store.

With the SQLite store the book is its own file (``HOME/experiments.sqlite``); with
PostgreSQL it is tables in the shop's database, so every serving node sees the same
experiments (within 1.5 s: the writer thread reads them every :data:`REFRESH_S`) and logs
into one request log.

Every list answer is logged as one row: its ``request_id``, time, route, visitor, query,
the experiments and variants the visitor was in, and per result the product, its 1-based
position, the probability with which the serving policy showed it there and, in an
interleaving experiment, the variant (team) that placed it. Rows are buffered and written
by a background thread in batches (every :data:`FLUSH_S` or :data:`FLUSH_ROWS` rows), so
logging costs a request an append to a list; a crash loses at most the last moments of the
log, never an event or an order.

Once exploration reads them, each process's impressions and clicks per product go into the
``exposure`` table with the same writes (added to what is there), and every process reads
the table back every :data:`EXPOSURE_S`: exploration sees the shop's counts, not one
process's since it started.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopmind.errors import NotFound, StoreError, StoreUnavailable
from shopmind.experiments.assign import Running, place
from shopmind.experiments.explore import Exposure
from shopmind.experiments.spec import BUCKETS, ExperimentSpec
from shopmind.store.sidedb import (
    PostgresSideDb,
    SideDb,
    SideSchema,
    SQLiteSideDb,
    in_database,
    transaction,
)

logger = logging.getLogger(__name__)

FILE = "experiments.sqlite"  # the book's file in the home, beside a SQLite store
REFRESH_S = 1.0
EXPOSURE_S = 5.0  # how often a process reads every process's exploration counts
FLUSH_S = 0.5
FLUSH_ROWS = 1_000
MAX_QUEUED = 200_000  # answers kept in memory while the database is away

_SQLITE = """
CREATE TABLE IF NOT EXISTS experiments (
    name TEXT PRIMARY KEY, spec TEXT NOT NULL, start_bucket INTEGER NOT NULL,
    end_bucket INTEGER NOT NULL, status TEXT NOT NULL, started REAL NOT NULL, stopped REAL
);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY, ts REAL NOT NULL, route TEXT NOT NULL, visitor TEXT,
    query TEXT, arms TEXT NOT NULL, items TEXT NOT NULL, latency_ms REAL NOT NULL,
    total INTEGER
);
CREATE INDEX IF NOT EXISTS requests_ts ON requests (ts);
CREATE INDEX IF NOT EXISTS requests_visitor ON requests (visitor, ts);
CREATE TABLE IF NOT EXISTS experiments_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO experiments_meta (key, value) VALUES ('experiments_version', 0);
CREATE TABLE IF NOT EXISTS exposure (
    item TEXT PRIMARY KEY, impressions REAL NOT NULL, clicks REAL NOT NULL
);
"""

_POSTGRES = """
CREATE TABLE IF NOT EXISTS experiments (
    name TEXT PRIMARY KEY, spec TEXT NOT NULL, start_bucket INTEGER NOT NULL,
    end_bucket INTEGER NOT NULL, status TEXT NOT NULL, started DOUBLE PRECISION NOT NULL,
    stopped DOUBLE PRECISION
);
CREATE TABLE IF NOT EXISTS requests (
    request_id TEXT PRIMARY KEY, ts DOUBLE PRECISION NOT NULL, route TEXT NOT NULL,
    visitor TEXT, query TEXT, arms TEXT NOT NULL, items TEXT NOT NULL,
    latency_ms DOUBLE PRECISION NOT NULL, total INTEGER
);
CREATE INDEX IF NOT EXISTS requests_ts ON requests (ts);
CREATE INDEX IF NOT EXISTS requests_visitor ON requests (visitor, ts);
CREATE TABLE IF NOT EXISTS experiments_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO experiments_meta (key, value) VALUES ('experiments_version', 0)
    ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS exposure (
    item TEXT PRIMARY KEY, impressions DOUBLE PRECISION NOT NULL,
    clicks DOUBLE PRECISION NOT NULL
);
"""

SCHEMA = SideSchema(
    label="the experiments book",
    sqlite=_SQLITE,
    postgres=_POSTGRES,
    meta="experiments_meta",
    version=1,
    lock=0x5E0B_0E1F,
    private=("requests",),
)


def new_request_id(now: float | None = None) -> str:
    """A fresh ``request_id``: 32 hex digits, the first 12 the millisecond it was made, the
    rest random. Time-ordered ids make the log's primary key grow at its end: a random one
    (uuid4) lands on a random page of a large log, and writing it cost 3.5 times as much."""
    ms = int((time.time() if now is None else now) * 1000)
    return f"{ms & 0xFFFFFFFFFFFF:012x}{os.urandom(10).hex()}"


@dataclass(frozen=True)
class Shown:
    """One result of a logged list."""

    item: str
    position: int  # 1-based
    propensity: float = 1.0
    team: str | None = None  # the variant that placed it (interleaving)


@dataclass(frozen=True)
class LoggedRequest:
    """One logged list answer."""

    request_id: str
    ts: float
    route: str
    visitor: str | None
    query: str | None
    arms: dict[str, str]
    items: list[Shown]
    latency_ms: float
    total: int | None = None

    def row(self) -> tuple[Any, ...]:
        items = [[s.item, s.position, s.propensity, s.team] for s in self.items]
        return (
            self.request_id, self.ts, self.route, self.visitor, self.query,
            json.dumps(self.arms), json.dumps(items), self.latency_ms, self.total,
        )  # fmt: skip

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> LoggedRequest:
        items = [Shown(str(i), int(p), float(q), t) for i, p, q, t in json.loads(row[6])]
        total = None if row[8] is None else int(row[8])
        return cls(
            str(row[0]), float(row[1]), str(row[2]), row[3], row[4], json.loads(row[5]),
            items, float(row[7]), total,
        )  # fmt: skip


@dataclass(frozen=True)
class Experiment:
    """A stored experiment."""

    spec: ExperimentSpec
    start: int
    end: int
    status: str
    started: float
    stopped: float | None = None

    @property
    def running(self) -> Running:
        return Running(self.spec, self.start, self.end)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.spec.model_dump(),
            "status": self.status,
            "started": self.started,
            "stopped": self.stopped,
            "buckets": [self.start / BUCKETS, self.end / BUCKETS],
        }


@dataclass
class _Buffer:
    rows: list[LoggedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class ExperimentBook:
    """Experiments and the request log in one side database."""

    def __init__(self, db: SideDb) -> None:
        self._db = db
        self._lock = threading.RLock()
        self._buffer = _Buffer()
        self._running: list[Running] = []
        self._checked = 0.0
        self._seen = -1
        self._closed = False
        self._wake = threading.Event()
        self.exposure = Exposure()  # what exploration reads: the shop's impressions and clicks
        self._exposure_read = 0.0
        self.dropped = 0  # answers not logged because the database was away too long
        self._refresh()
        self._writer = threading.Thread(target=self._drain, name="request-log", daemon=True)
        self._writer.start()

    @classmethod
    def open(cls, home: Path, store_url: str, busy_timeout_ms: int = 30_000) -> ExperimentBook:
        """The shop's book: beside a PostgreSQL store in its database, else in
        ``HOME/experiments.sqlite`` (:data:`FILE`)."""
        if in_database(store_url):
            return cls(PostgresSideDb(store_url, SCHEMA))
        return cls(SQLiteSideDb(home / FILE, SCHEMA, busy_timeout_ms))

    # -- lifecycle --------------------------------------------------------------------------
    def close(self) -> None:
        """Write what the log still buffers, then close."""
        if self._closed:
            return
        self.flush()
        with self._lock:
            self._closed = True
            self._wake.set()
            self._db.close()

    def __enter__(self) -> ExperimentBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._closed:
                raise StoreError(f"the experiments book {self._db.where} is closed")
            return list(self._db.execute(sql, params).fetchall())

    @contextmanager
    def _transaction(self) -> Iterator[SideDb]:
        """One transaction under the lock: commits on success, rolls back on an error."""
        with self._lock:
            if self._closed:
                raise StoreError(f"the experiments book {self._db.where} is closed")
            with transaction(self._db) as db:
                yield db

    def _write(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        with self._transaction() as db:
            for sql, params in statements:
                db.execute(sql, params)

    # -- experiments ------------------------------------------------------------------------
    def experiments(self, status: str | None = None) -> list[Experiment]:
        """Every experiment (or those of one status), newest first."""
        rows = self._read(
            "SELECT spec, start_bucket, end_bucket, status, started, stopped FROM experiments "
            "ORDER BY started DESC"
        )
        found = [
            Experiment(ExperimentSpec.model_validate_json(r[0]), int(r[1]), int(r[2]), str(r[3]),
                       float(r[4]), None if r[5] is None else float(r[5]))
            for r in rows
        ]  # fmt: skip
        return [e for e in found if status is None or e.status == status]

    def get(self, name: str) -> Experiment:
        """One experiment by name; NotFound names the known ones."""
        for e in self.experiments():
            if e.spec.name == name:
                return e
        known = ", ".join(e.spec.name for e in self.experiments()) or "none yet"
        raise NotFound(f"no experiment '{name}' (known: {known})")

    def start(self, spec: ExperimentSpec, now: float | None = None) -> Experiment:
        """Store and start a checked experiment in a free range of its layer."""
        from shopmind.errors import InvalidInput, RowError

        with self._lock:
            if any(e.spec.name == spec.name for e in self.experiments()):
                raise InvalidInput(
                    [RowError(1, "name", "an experiment of this name exists (running or "
                              "stopped; its report stays)", "choose another name", spec.name)],
                    source="experiment",
                )  # fmt: skip
            placed = place(spec, [e.running for e in self.experiments("running")])
            started = time.time() if now is None else now
            self._write(
                [
                    (
                        "INSERT INTO experiments (name, spec, start_bucket, end_bucket, status, "
                        "started) VALUES (?, ?, ?, ?, 'running', ?)",
                        (spec.name, spec.model_dump_json(), placed.start, placed.end, started),
                    ),
                    (_BUMP, ()),
                ]
            )
            self._refresh()
            return self.get(spec.name)

    def stop(self, name: str, now: float | None = None) -> Experiment:
        """Stop a running experiment: its visitors go back to the settings; its report stays."""
        with self._lock:
            found = self.get(name)
            if found.status != "running":
                return found
            stopped = time.time() if now is None else now
            self._write(
                [
                    ("UPDATE experiments SET status = 'stopped', stopped = ? WHERE name = ?",
                     (stopped, name)),
                    (_BUMP, ()),
                ]
            )  # fmt: skip
            self._refresh()
            return self.get(name)

    def running(self) -> list[Running]:
        """The running experiments as last read: the writer thread reads them again every
        :data:`REFRESH_S` (another node's changes reach this one within 1.5 s), ``start``
        and ``stop`` at once. Never touches the database, so a request never waits on it;
        a database away keeps the last known ones."""
        return self._running

    def _refresh(self) -> None:
        """Read the running experiments again if their version moved."""
        self._checked = time.monotonic()
        try:
            version = int(
                self._read("SELECT value FROM experiments_meta WHERE key = "
                           "'experiments_version'")[0][0]
            )  # fmt: skip
            if version != self._seen:
                self._running = [e.running for e in self.experiments("running")]
                self._seen = version
        except StoreUnavailable as err:
            logger.warning("experiments read from memory: %s", err)

    # -- the request log --------------------------------------------------------------------
    def log(self, request: LoggedRequest) -> None:
        """Queue one answer for the log (written within :data:`FLUSH_S`)."""
        self.exposure.shown([s.item for s in request.items])
        with self._buffer.lock:
            self._buffer.rows.append(request)
            full = len(self._buffer.rows) >= FLUSH_ROWS
        if full:
            self._wake.set()

    def flush(self) -> int:
        """Write the queued answers now (and, once exploration reads them, this process's
        new impressions and clicks); returns how many answers."""
        with self._buffer.lock:
            rows, self._buffer.rows = self._buffer.rows, []
        counts = self.exposure.take() if self.exposure.active else []
        if not rows and not counts:
            return 0
        try:
            with self._lock:
                if self._closed:
                    return 0
                with self._transaction() as db:
                    if rows:
                        db.executemany(_INSERT, [r.row() for r in rows])
                    if counts:
                        db.executemany(_COUNT, counts)
        except StoreUnavailable as err:  # keep them for the next try, up to a bound
            self.exposure.give_back(counts)
            with self._buffer.lock:
                self._buffer.rows[:0] = rows
                over = len(self._buffer.rows) - MAX_QUEUED
                if over > 0:  # the oldest go: the log is for statistics, not for orders
                    del self._buffer.rows[:over]
                    self.dropped += over
            logger.warning("request log not written yet (%d dropped so far): %s",
                           self.dropped, err)  # fmt: skip
            return 0
        return len(rows)

    def _drain(self) -> None:
        while not self._closed:
            self._wake.wait(FLUSH_S)
            self._wake.clear()
            if self._closed:
                break
            try:
                self.flush()
                if time.monotonic() - self._checked >= REFRESH_S:
                    self._refresh()
                if self.exposure.active and time.monotonic() - self._exposure_read >= EXPOSURE_S:
                    self.read_exposure()
            except Exception:  # the log must never take serving down
                logger.exception("writing the request log failed")

    def read_exposure(self) -> None:
        """Read every process's exploration counts (what this one still holds is added)."""
        self._exposure_read = time.monotonic()
        try:
            rows = self._read("SELECT item, impressions, clicks FROM exposure")
        except StoreUnavailable as err:
            logger.warning("exploration counts read from memory: %s", err)
            return
        self.exposure.reset([(str(i), float(s), float(c)) for i, s, c in rows])

    def requests(self, since: float = 0.0, until: float | None = None) -> Iterator[LoggedRequest]:
        """Logged answers in time order from ``since`` (to ``until``)."""
        self.flush()
        sql = "SELECT * FROM requests WHERE ts >= ?"
        params: list[Any] = [since]
        if until is not None:
            sql += " AND ts <= ?"
            params.append(until)
        for row in self._read(sql + " ORDER BY ts, request_id", params):
            yield LoggedRequest.from_row(row)

    def request(self, request_id: str) -> LoggedRequest | None:
        """One logged answer, or None."""
        self.flush()
        rows = self._read("SELECT * FROM requests WHERE request_id = ?", (request_id,))
        return LoggedRequest.from_row(rows[0]) if rows else None

    def delete_before(self, ts: float) -> int:
        """Delete the answers logged before ``ts`` (retention); returns how many."""
        return self._delete("ts < ?", [[ts]])

    def forget_visitors(self, visitors: Sequence[str]) -> int:
        """Delete the visitors' logged answers; returns how many."""
        chunks = [list(visitors[at : at + 500]) for at in range(0, len(visitors), 500)]
        return self._delete("visitor IN ({marks})", chunks)

    def _delete(self, where: str, chunks: Sequence[Sequence[Any]]) -> int:
        """Delete the logged answers ``where`` holds, once per chunk of parameters (each in
        its own transaction; ``{marks}`` becomes one placeholder per parameter), then scrub
        the freed space; returns how many went."""
        self.flush()
        gone = 0
        with self._lock:
            for params in chunks:
                sql = "DELETE FROM requests WHERE " + where.format(
                    marks=", ".join("?" * len(params))
                )
                with self._transaction() as db:
                    gone += max(db.execute(sql, params).rowcount, 0)
            if gone:
                self._db.scrub()
        return gone


_BUMP = "UPDATE experiments_meta SET value = value + 1 WHERE key = 'experiments_version'"
_COUNT = (
    "INSERT INTO exposure (item, impressions, clicks) VALUES (?, ?, ?) ON CONFLICT (item) DO "
    "UPDATE SET impressions = exposure.impressions + excluded.impressions, "
    "clicks = exposure.clicks + excluded.clicks"
)
_INSERT = (
    "INSERT INTO requests (request_id, ts, route, visitor, query, arms, items, latency_ms, "
    "total) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING"
)
