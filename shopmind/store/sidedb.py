"""Side databases: tables a feature keeps apart from the store (the campaign book, the
experiments book), in their own SQLite file or in the shop's PostgreSQL database.

A book writes the same SQL through either connection (``?`` placeholders). In SQLite a
write transaction holds the file's write lock (``BEGIN IMMEDIATE``), which serializes every
write. In PostgreSQL, shared by several serving nodes, a transaction may take an advisory
lock on one key first (:meth:`SideDb.lock_key`; the campaign book locks a campaign, so two
nodes charging it at once see each other's spend and its budget is never overspent).
Each book names its schema and version in a :class:`SideSchema`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from shopmind.errors import SchemaVersionError, StoreError, StoreUnavailable
from shopmind.store.sqlite import enable_wal


@dataclass(frozen=True)
class SideSchema:
    """A side database's tables and version.

    Attributes:
        label: what error messages call it ("the campaign book").
        sqlite: its SQLite schema (``IF NOT EXISTS`` throughout).
        postgres: its PostgreSQL schema, which creates ``meta`` too.
        meta: the PostgreSQL table (key, value) that keeps the version.
        version: the schema version this shopmind writes.
        lock: the advisory lock class of its keyed locks and its schema set-up.
        private: the tables that hold visitors' data (scrubbed after forgetting visitors).
    """

    label: str
    sqlite: str
    postgres: str
    meta: str
    version: int
    lock: int
    private: tuple[str, ...] = ()


class Cursor(Protocol):
    """What the book reads from a statement."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


def in_database(store_url: str) -> bool:
    """Whether books beside a store at ``store_url`` live in its database (PostgreSQL)
    rather than in files of their own."""
    return store_url.startswith(("postgresql://", "postgres://"))


def has_book(home: Path, store_url: str, file: str) -> bool:
    """Whether a book may hold rows: in the store's PostgreSQL database, or ``HOME/file``
    exists (a book never opened holds nothing, and is not made just to be emptied)."""
    return in_database(store_url) or (home / file).is_file()


class SideDb(Protocol):
    """One connection to a book's tables (used under the book's lock)."""

    where: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def insert_id(self, sql: str, params: Sequence[Any]) -> int: ...

    def begin(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def lock_key(self, key: int) -> None: ...

    def scrub(self) -> None: ...

    def close(self) -> None: ...


@contextmanager
def transaction(db: SideDb) -> Iterator[SideDb]:
    """One transaction on ``db``: commits on success, rolls back on an error (the caller
    holds its book's lock)."""
    db.begin()
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise


class SQLiteSideDb:
    """A book in its own SQLite file (WAL)."""

    def __init__(self, path: Path, schema: SideSchema, busy_timeout_ms: int) -> None:
        self.where = str(path)
        self.schema = schema
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            enable_wal(self._conn, busy_timeout_ms / 1000)
            self._conn.execute("PRAGMA synchronous = NORMAL")
            version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.DatabaseError as err:
            raise StoreError(f"cannot open {schema.label} {path}: {err}") from err
        _check_version(version, self.where, schema)
        self._conn.executescript(schema.sqlite)  # IF NOT EXISTS throughout: safe to rerun
        self._conn.execute(f"PRAGMA user_version = {schema.version}")

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

    def lock_key(self, key: int) -> None:
        """Nothing more to lock: the transaction holds the whole file."""

    def scrub(self) -> None:
        """Zero deleted cells and empty the write-ahead log (after forgetting visitors)."""
        self._conn.execute("PRAGMA secure_delete = ON")
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self._conn.close()


class PostgresSideDb:
    """A book in the shop's PostgreSQL database, beside the store's tables."""

    def __init__(self, url: str, schema: SideSchema, connect_timeout_s: float = 5.0) -> None:
        from shopmind.store.postgres import display_url

        self.where = display_url(url)
        self.schema = schema
        self._url = url
        self._timeout = max(1, round(connect_timeout_s))
        self._conn: Any = None
        conn = self._connect()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (schema.lock,))
            conn.execute(schema.postgres)
            row = conn.execute(f"SELECT value FROM {schema.meta} WHERE key = 'schema_version'")
            version = row.fetchone()
            _check_version(int(version[0]) if version else 0, self.where, schema)
            conn.execute(
                f"INSERT INTO {schema.meta} (key, value) VALUES ('schema_version', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (schema.version,),
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
                    f"{self.schema.label}'s PostgreSQL {self.where} cannot be reached: {err}"
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
                f"{self.schema.label}'s PostgreSQL {self.where} was lost ({err}); nothing of "
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

    def lock_key(self, key: int) -> None:
        """Serialize the transactions that lock ``key`` across every node until the commit."""
        self.execute("SELECT pg_advisory_xact_lock(?::int4, ?::int4)", (self.schema.lock, key))

    def scrub(self) -> None:
        """Free the deleted visitors' rows' space for reuse."""
        for table in self.schema.private:
            self.execute(f"VACUUM {table}")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def _check_version(version: int, where: str, schema: SideSchema) -> None:
    if version > schema.version:
        raise SchemaVersionError(
            f"{schema.label} {where} has schema {version}, newer than this shopmind's "
            f"{schema.version}; upgrade shopmind"
        )
