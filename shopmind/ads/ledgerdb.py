"""Where the campaign book lives: its own SQLite file, or the shop's PostgreSQL database.

The book writes the same SQL through either connection (``?`` placeholders). In SQLite a
write transaction holds the file's write lock (``BEGIN IMMEDIATE``), which serializes every
charge. In PostgreSQL, shared by several serving nodes, a click's transaction takes an
advisory lock on its campaign first, so two nodes charging the same campaign at once see
each other's spend: the budget is never overspent across nodes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from shopmind.ads.records import PG_SCHEMA, SCHEMA, SCHEMA_VERSION
from shopmind.errors import SchemaVersionError, StoreError, StoreUnavailable
from shopmind.store.sqlite import enable_wal

_SPEND_LOCK = 0x5E0B_00AD  # the advisory lock class of campaign spend


class Cursor(Protocol):
    """What the book reads from a statement."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class LedgerDb(Protocol):
    """One connection to the book's tables (used under the book's lock)."""

    where: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def insert_id(self, sql: str, params: Sequence[Any]) -> int: ...

    def begin(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def lock_campaign(self, campaign: int) -> None: ...

    def scrub(self) -> None: ...

    def close(self) -> None: ...


class SQLiteLedger:
    """The book in ``HOME/ads.sqlite`` (WAL)."""

    def __init__(self, path: Path, busy_timeout_ms: int) -> None:
        self.where = str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            enable_wal(self._conn, busy_timeout_ms / 1000)
            self._conn.execute("PRAGMA synchronous = NORMAL")
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as err:
            raise StoreError(f"cannot open the campaign book {path}: {err}") from err
        _check_version(version, self.where)
        self._conn.executescript(SCHEMA)  # IF NOT EXISTS throughout: safe to rerun
        self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        return int(self._conn.execute(sql, params).lastrowid or 0)

    def begin(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")  # the file's write lock: charges in turn

    def commit(self) -> None:
        self._conn.execute("COMMIT")

    def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def lock_campaign(self, campaign: int) -> None:
        """Nothing more to lock: the transaction holds the whole file."""

    def scrub(self) -> None:
        """Zero deleted cells and empty the write-ahead log (after forgetting visitors)."""
        self._conn.execute("PRAGMA secure_delete = ON")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self._conn.close()


class PostgresLedger:
    """The book in the shop's PostgreSQL database, beside the store's tables."""

    def __init__(self, url: str, connect_timeout_s: float = 5.0) -> None:
        from shopmind.store.postgres import display_url

        self.where = display_url(url)
        self._url = url
        self._timeout = max(1, round(connect_timeout_s))
        self._conn: Any = None
        conn = self._connect()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SPEND_LOCK,))
            conn.execute(PG_SCHEMA)
            row = conn.execute("SELECT value FROM book_meta WHERE key = 'schema_version'")
            version = row.fetchone()
            _check_version(int(version[0]) if version else 0, self.where)
            conn.execute(
                "INSERT INTO book_meta (key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (SCHEMA_VERSION,),
            )

    def _connect(self) -> Any:
        import psycopg

        if self._conn is None or self._conn.closed:
            try:
                self._conn = psycopg.connect(
                    self._url, autocommit=True, connect_timeout=self._timeout
                )
            except psycopg.OperationalError as err:
                raise StoreUnavailable(
                    f"the campaign book's PostgreSQL {self.where} cannot be reached: {err}"
                ) from err
        return self._conn

    def _run(self, call: Any) -> Any:
        import psycopg

        conn = self._connect()
        try:
            return call(conn)
        except (psycopg.OperationalError, psycopg.InterfaceError) as err:
            conn.close()
            raise StoreUnavailable(
                f"the campaign book's PostgreSQL {self.where} was lost ({err}); nothing of "
                "this call was stored; retry shortly"
            ) from err

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        cursor: Cursor = self._run(lambda c: c.execute(sql.replace("?", "%s"), params))
        return cursor

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._run(lambda c: c.cursor().executemany(sql.replace("?", "%s"), rows))

    def insert_id(self, sql: str, params: Sequence[Any]) -> int:
        return int(self.execute(sql + " RETURNING id", params).fetchone()[0])

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def rollback(self) -> None:
        if self._conn is not None and not self._conn.closed:
            self._conn.execute("ROLLBACK")

    def lock_campaign(self, campaign: int) -> None:
        """Serialize charges of one campaign across every node until the commit."""
        self.execute("SELECT pg_advisory_xact_lock(?::int4, ?::int4)", (_SPEND_LOCK, campaign))

    def scrub(self) -> None:
        """Free the deleted impressions' space for reuse."""
        self.execute("VACUUM impressions")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def _check_version(version: int, where: str) -> None:
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"the campaign book {where} has schema {version}, newer than this shopmind's "
            f"{SCHEMA_VERSION}; upgrade shopmind"
        )
