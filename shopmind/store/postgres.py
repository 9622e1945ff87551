"""The store for shops that outgrow one machine: PostgreSQL, shared by many serving nodes.

Behind the same :class:`Store` contract as SQLite. Each thread holds its own connection
(psycopg 3, autocommit; ``transaction()`` issues BEGIN/COMMIT and is re-entrant within a
thread, so a file ingest stays one all-or-nothing commit). Large writes go through ``COPY``
into a temporary table and one ``INSERT ... SELECT`` from it, so duplicates are still
ignored by event id.

A lost server is a :class:`StoreUnavailable` (HTTP 503 with ``Retry-After``) for the call
that met it; the thread's connection is dropped and the next call connects again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Concatenate, ParamSpec, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import psycopg

from shopmind.catalog.models import Product, ProductPatch, normalise_category
from shopmind.errors import InvalidInput, NotFound, RowError, StoreError, StoreUnavailable
from shopmind.events.models import Event, StoredEvent
from shopmind.files import sha256_of
from shopmind.knowledge.models import Passage, PastAnswer
from shopmind.redact import FORGOTTEN, forgotten_pattern
from shopmind.store.base import ProductPage, Store, StoreStats, VisitorSummary, WriteResult
from shopmind.store.pgschema import (
    PG_EVENT_INDEXES,
    PG_LATEST_VERSION,
    pg_current_version,
    pg_migrate,
)
from shopmind.store.rows import (
    EVENT_COLUMNS,
    EVENT_INSERT_COLUMNS,
    PRODUCT_COLUMNS,
    apply_patches,
    event_filters,
    event_from_row,
    event_row,
    product_from_row,
    product_row,
)

logger = logging.getLogger(__name__)

COPY_THRESHOLD = 64  # rows from which a write goes through COPY instead of INSERT
BUILD_CHUNK = 8 << 20  # bytes per row of a published build
LAST_READ_PRODUCTS = 100_000  # products remembered to answer reads while the server is lost

_P = ParamSpec("_P")
_R = TypeVar("_R")


def display_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def _guarded(
    method: Callable[Concatenate[PostgresStore, _P], _R],
) -> Callable[Concatenate[PostgresStore, _P], _R]:
    """Turn a lost connection into StoreUnavailable and let the next call reconnect."""

    @functools.wraps(method)
    def call(self: PostgresStore, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except (psycopg.OperationalError, psycopg.InterfaceError) as err:
            raise self._lost(err) from err

    return cast("Callable[Concatenate[PostgresStore, _P], _R]", call)


class PostgresStore(Store):
    """A :class:`Store` in a PostgreSQL database.

    Args:
        url: ``postgresql://user[:password]@host[:port]/database[?options]``.
        connect_timeout_s: how long a connection attempt may take before the store is
            reported unreachable.
    """

    latest_version = PG_LATEST_VERSION

    def __init__(self, url: str, connect_timeout_s: float = 5.0) -> None:
        self.url = url
        self._shown = display_url(url)
        self._timeout = max(1, round(connect_timeout_s))
        self._local = threading.local()
        self._all: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._closed = False
        self._last_read: OrderedDict[str, Product] = OrderedDict()
        try:
            pg_migrate(self._conn())
        except BaseException as err:
            self.close()
            if not isinstance(err, StoreUnavailable):
                raise
            raise StoreError(
                f"cannot reach the PostgreSQL store {self._shown}: {err.__cause__}; start the "
                "server or fix [store] url in shopmind.toml (or SHOPMIND_STORE__URL)"
            ) from err

    # -- connections and transactions -------------------------------------------------------
    def _conn(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise StoreError(f"the store {self._shown} is closed")
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is not None and not conn.closed:
            return conn
        try:
            conn = psycopg.connect(
                self.url, autocommit=True, connect_timeout=self._timeout, prepare_threshold=None
            )
        except psycopg.OperationalError as err:
            raise StoreUnavailable(
                f"the PostgreSQL store {self._shown} cannot be reached: "
                f"{str(err).strip().splitlines()[-1]}"
            ) from err
        self._local.conn = conn
        self._local.depth = 0
        with self._lock:
            self._all = [c for c in self._all if not c.closed]
            self._all.append(conn)
        return conn

    def _lost(self, err: Exception) -> StoreUnavailable:
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None
        self._local.depth = 0
        logger.warning("lost the PostgreSQL store %s: %s", self._shown, err)
        return StoreUnavailable(
            f"the PostgreSQL store {self._shown} was lost ({str(err).strip()}); nothing of "
            "this call was stored; retry shortly"
        )

    def _depth(self) -> int:
        return int(getattr(self._local, "depth", 0))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self._conn()
        depth = self._depth()
        if depth == 0:
            try:
                conn.execute("BEGIN")
            except (psycopg.OperationalError, psycopg.InterfaceError) as err:
                raise self._lost(err) from err
        self._local.depth = depth + 1
        try:
            yield
        except BaseException:
            self._local.depth = depth
            if depth == 0 and not conn.closed:
                try:
                    conn.execute("ROLLBACK")
                except (psycopg.OperationalError, psycopg.InterfaceError):
                    self._local.conn = None
                    conn.close()
            raise
        self._local.depth = depth
        if depth == 0:
            try:
                conn.execute("COMMIT")
            except (psycopg.OperationalError, psycopg.InterfaceError) as err:
                raise self._lost(err) from err

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Drop the secondary event indexes while the first load runs into an empty events
        table and build each once at the end, still inside the transaction. Only then:
        dropping an index locks the table against every reader (other nodes' ``/recommend``)
        until the commit, which a store that already serves visitors must not do; later
        loads keep the indexes up row by row."""
        if self._depth() == 0:
            raise StoreError("bulk_load() must run inside transaction()")
        if self._one("SELECT EXISTS (SELECT 1 FROM events)"):
            yield
            return
        conn = self._conn()
        for name in PG_EVENT_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        try:
            yield
        finally:
            if not conn.closed:
                conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for sql in PG_EVENT_INDEXES.values():
                    conn.execute(sql)

    @_guarded
    def schema_version(self) -> int:
        return pg_current_version(self._conn())

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._closed = True

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn().execute(sql, params).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._conn().execute(sql, params).fetchone()
        return row[0] if row else None

    @contextmanager
    def _snapshot(self) -> Iterator[psycopg.ServerCursor[Any]]:
        """A server-side cursor over one consistent snapshot. Inside a transaction it runs
        there (and sees its writes); otherwise on a connection of its own, so a long read
        blocks no write of this thread."""
        if self._depth() > 0:
            with self._conn().cursor(name=f"read_{time.monotonic_ns()}") as cur:
                yield cur
            return
        try:
            own = psycopg.connect(self.url, connect_timeout=self._timeout)
        except psycopg.OperationalError as err:
            raise self._lost(err) from err
        try:
            own.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            with own.cursor(name="read") as cur:
                yield cur
        finally:
            own.close()

    # -- products ---------------------------------------------------------------------------
    @_guarded
    def known_product_ids(self, ids: Sequence[str]) -> set[str]:
        if not ids:
            return set()
        return {r[0] for r in self._rows("SELECT id FROM products WHERE id = ANY(%s)", [list(ids)])}

    @_guarded
    def catalog_version(self) -> int:
        return int(self._one("SELECT value FROM meta WHERE key = 'catalog_version'"))

    def _bump(self, key: str) -> None:
        self._conn().execute("UPDATE meta SET value = value + 1 WHERE key = %s", (key,))

    @_guarded
    def upsert_products(self, products: Sequence[Product]) -> WriteResult:
        if not products:
            return WriteResult()
        now = time.time()
        last = {p.id: p for p in products}  # a repeated id: the last one wins, as in SQLite
        rows = [(*product_row(p, now), p.created_at is not None) for p in last.values()]
        with self.transaction():
            existing = self.known_product_ids(list(last))
            conn = self._conn()
            conn.execute(
                f"CREATE TEMP TABLE products_in ON COMMIT DROP AS SELECT {PRODUCT_COLUMNS}, "
                "TRUE AS keep_created FROM products WITH NO DATA"
            )
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY products_in ({PRODUCT_COLUMNS}, keep_created) FROM STDIN") as copy,
            ):
                try:
                    for row in rows:
                        copy.write_row(row)
                except psycopg.DataError as err:
                    raise _bad_text(rows, err) from err
            conn.execute(  # a product given without created_at keeps the stored one
                "UPDATE products_in i SET created_at = p.created_at FROM products p "
                "WHERE p.id = i.id AND NOT i.keep_created"
            )
            self._write(
                f"INSERT INTO products ({PRODUCT_COLUMNS}) SELECT {PRODUCT_COLUMNS} "
                "FROM products_in ON CONFLICT (id) DO UPDATE SET "
                "title=excluded.title, description=excluded.description, "
                "category=excluded.category, brand=excluded.brand, price=excluded.price, "
                "currency=excluded.currency, stock=excluded.stock, in_stock=excluded.in_stock, "
                "attributes=excluded.attributes, image_url=excluded.image_url, "
                "url=excluded.url, language=excluded.language, "
                "updated_at=excluded.updated_at, created_at=excluded.created_at",
                rows,
            )
            conn.execute("DROP TABLE products_in")
            self._bump("catalog_version")
        return WriteResult(inserted=len(last) - len(existing), updated=len(existing))

    def _write(self, sql: str, rows: Sequence[tuple[Any, ...]], params: Sequence[Any] = ()) -> int:
        """Run one write; text PostgreSQL cannot hold (NUL) is bad input naming its row."""
        try:
            return int(self._conn().execute(sql, params).rowcount)
        except psycopg.DataError as err:
            raise _bad_text(rows, err) from err

    @_guarded
    def patch_products(self, patches: Sequence[ProductPatch]) -> WriteResult:
        if not patches:
            return WriteResult()
        with self.transaction():
            ids = list({p.id for p in patches})
            self._conn().execute(
                "SELECT id FROM products WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids]
            )
            current = self.get_products(ids)
            changed = apply_patches(current, patches)
            self.upsert_products(changed)
        return WriteResult(updated=len(changed))

    @_guarded
    def delete_products(self, ids: Sequence[str]) -> int:
        if not ids:
            return 0
        with self.transaction():
            cur = self._conn().execute("DELETE FROM products WHERE id = ANY(%s)", [list(ids)])
            deleted = int(cur.rowcount)
            if deleted:
                self._bump("catalog_version")
        return deleted

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        """The products with these ids. While the server is lost, the products last read
        answer (search pages keep serving); only ids never read are missing then."""
        if not ids:
            return {}
        try:
            rows = self._rows(
                f"SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ANY(%s)", [list(ids)]
            )
        except (psycopg.OperationalError, psycopg.InterfaceError, StoreUnavailable) as err:
            lost = err if isinstance(err, StoreUnavailable) else self._lost(err)
            if self._depth() > 0:
                raise lost from err
            with self._lock:
                known = {i: self._last_read[i] for i in ids if i in self._last_read}
            logger.warning("%d of %d products answered from memory: %s", len(known), len(ids), lost)
            return known
        found = {p.id: p for p in map(product_from_row, rows)}
        with self._lock:
            for pid in ids:
                self._last_read.pop(pid, None)  # deleted ones are forgotten too
            self._last_read.update(found)
            while len(self._last_read) > LAST_READ_PRODUCTS:
                self._last_read.popitem(last=False)
        return found

    @_guarded
    def list_products(
        self, offset: int = 0, limit: int = 100, category: str | None = None
    ) -> ProductPage:
        where, params = "", []
        category = normalise_category(category) if category else None
        if category:
            where = "WHERE category = %s OR category LIKE %s"
            escaped = category.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params = [category, f"{escaped} > %"]
        total = int(self._one(f"SELECT COUNT(*) FROM products {where}", params))
        rows = self._rows(
            f"SELECT {PRODUCT_COLUMNS} FROM products {where} ORDER BY id LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        return ProductPage([product_from_row(r) for r in rows], total, offset, limit)

    def iter_products(self, batch: int = 5_000) -> Iterator[list[Product]]:
        try:
            with self._snapshot() as cur:
                cur.execute(f"SELECT {PRODUCT_COLUMNS} FROM products ORDER BY id")
                while rows := cur.fetchmany(batch):
                    yield [product_from_row(r) for r in rows]
        except (psycopg.OperationalError, psycopg.InterfaceError) as err:
            raise self._lost(err) from err

    @_guarded
    def product_ids(self) -> set[str]:
        return {r[0] for r in self._rows("SELECT id FROM products")}

    @_guarded
    def count_products(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM products"))

    # -- events -----------------------------------------------------------------------------
    @_guarded
    def add_events(self, events: Sequence[Event]) -> WriteResult:
        if not events:
            return WriteResult()
        return self._append([event_row(e) for e in events])

    @_guarded
    def append_stored(self, events: Sequence[StoredEvent]) -> WriteResult:
        if not events:
            return WriteResult()
        return self._append([event_row(e) for e in events])

    def _append(self, rows: list[tuple[Any, ...]]) -> WriteResult:
        with self.transaction():
            if len(rows) < COPY_THRESHOLD:
                inserted = self._insert_events(rows)
            else:
                inserted = self._copy_events(rows)
        return WriteResult(inserted=inserted, duplicates=len(rows) - inserted)

    def _insert_events(self, rows: list[tuple[Any, ...]]) -> int:
        marks = ",".join(["(" + ",".join(["%s"] * len(rows[0])) + ")"] * len(rows))
        return self._write(
            f"INSERT INTO events ({EVENT_INSERT_COLUMNS}) VALUES {marks} "
            "ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING",
            rows,
            [v for row in rows for v in row],
        )

    def _copy_events(self, rows: list[tuple[Any, ...]]) -> int:
        conn = self._conn()
        if all(row[0] is None for row in rows):  # no event id: nothing can be a duplicate
            try:
                with (
                    conn.cursor() as cur,
                    cur.copy(f"COPY events ({EVENT_INSERT_COLUMNS}) FROM STDIN") as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
            except psycopg.DataError as err:
                raise _bad_text(rows, err) from err
            return len(rows)
        conn.execute(
            "CREATE TEMP TABLE events_in ON COMMIT DROP AS "
            f"SELECT 0::BIGINT AS n, {EVENT_INSERT_COLUMNS} FROM events WITH NO DATA"
        )
        try:
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY events_in (n, {EVENT_INSERT_COLUMNS}) FROM STDIN") as copy,
            ):
                for n, row in enumerate(rows):
                    copy.write_row((n, *row))
        except psycopg.DataError as err:
            raise _bad_text(rows, err) from err
        inserted = self._write(
            f"INSERT INTO events ({EVENT_INSERT_COLUMNS}) SELECT {EVENT_INSERT_COLUMNS} "
            "FROM events_in ORDER BY n ON CONFLICT (event_id) WHERE event_id IS NOT NULL "
            "DO NOTHING",
            rows,
        )
        conn.execute("DROP TABLE events_in")
        return inserted

    @_guarded
    def list_events(
        self,
        visitor: str | None = None,
        item_id: str | None = None,
        limit: int = 100,
        types: Sequence[str] | None = None,
    ) -> list[StoredEvent]:
        clauses, params = event_filters(visitor, item_id, "%s")
        if types is not None:
            clauses.append("type = ANY(%s)")
            params.append(list(types))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._rows(
            f"SELECT {EVENT_COLUMNS} FROM events {where} "
            "ORDER BY COALESCE(ts, 0) DESC, seq DESC LIMIT %s",
            [*params, limit],
        )
        return [event_from_row(r) for r in rows]

    def iter_events(
        self, batch: int = 50_000, since: float | None = None
    ) -> Iterator[list[StoredEvent]]:
        where = "" if since is None else " WHERE COALESCE(ts, 0) >= %s"
        params = () if since is None else (since,)
        try:
            with self._snapshot() as cur:
                cur.itersize = batch
                cur.execute(
                    f"SELECT {EVENT_COLUMNS} FROM events{where} ORDER BY ts NULLS FIRST, seq",
                    params,
                )
                while rows := cur.fetchmany(batch):
                    yield [event_from_row(r) for r in rows]
        except (psycopg.OperationalError, psycopg.InterfaceError) as err:
            raise self._lost(err) from err

    @_guarded
    def count_events(self) -> int:
        return int(self._one("SELECT COUNT(*) FROM events"))

    @_guarded
    def top_visitors(self, limit: int = 50) -> list[VisitorSummary]:
        rows = self._rows(
            "SELECT visitor, COUNT(*) AS n, MAX(ts) AS last FROM events GROUP BY visitor "
            "ORDER BY n DESC, last DESC NULLS LAST, visitor LIMIT %s",
            [limit],
        )
        return [VisitorSummary(str(v), int(n), None if t is None else float(t)) for v, n, t in rows]

    # -- knowledge --------------------------------------------------------------------------
    @_guarded
    def knowledge_version(self) -> int:
        return int(self._one("SELECT value FROM meta WHERE key = 'knowledge_version'"))

    @_guarded
    def replace_documents(self, passages: Sequence[Passage]) -> WriteResult:
        docs = sorted({p.doc for p in passages})
        if not docs:
            return WriteResult()
        now = time.time()
        rows = [(p.id, p.doc, p.position, p.title, p.text, p.source, p.url, now) for p in passages]
        with self.transaction():
            conn = self._conn()
            replaced = int(
                self._one("SELECT COUNT(DISTINCT doc) FROM passages WHERE doc = ANY(%s)", [docs])
            )
            conn.execute("DELETE FROM passages WHERE doc = ANY(%s)", [docs])
            try:
                conn.cursor().executemany(
                    "INSERT INTO passages (id, doc, position, title, text, source, url, "
                    "updated_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                    rows,
                )
            except psycopg.DataError as err:
                raise _bad_text(rows, err) from err
            self._bump("knowledge_version")
        return WriteResult(inserted=len(passages), updated=replaced)

    @_guarded
    def list_passages(self, doc: str | None = None) -> list[Passage]:
        sql = "SELECT id, doc, position, title, text, source, url FROM passages"
        args: list[Any] = []
        if doc is not None:
            sql += " WHERE doc = %s"
            args = [doc]
        return [
            Passage(id=i, doc=d, position=n, title=t, text=x, source=s, url=u)
            for i, d, n, t, x, s, u in self._rows(sql + " ORDER BY doc, position", args)
        ]

    @_guarded
    def add_answers(self, answers: Sequence[PastAnswer]) -> WriteResult:
        if not answers:
            return WriteResult()
        now = time.time()
        rows = [(a.key, a.question, a.answer, a.product_id, a.time, now) for a in answers]
        marks = ",".join(["(%s,%s,%s,%s,%s,%s)"] * len(rows))
        with self.transaction():
            inserted = self._write(
                "INSERT INTO answers (id, question, answer, product_id, ts, added_at) "
                f"VALUES {marks} ON CONFLICT (id) DO NOTHING",
                rows,
                [v for row in rows for v in row],
            )
            if inserted:
                self._bump("knowledge_version")
        return WriteResult(inserted=inserted, duplicates=len(answers) - inserted)

    def iter_answers(self, batch: int = 10_000) -> Iterator[list[PastAnswer]]:
        try:
            with self._snapshot() as cur:
                cur.execute("SELECT id, question, answer, product_id, ts FROM answers ORDER BY id")
                while rows := cur.fetchmany(batch):
                    yield [
                        PastAnswer(id=i, question=q, answer=a, product_id=p, time=t)
                        for i, q, a, p, t in rows
                    ]
        except (psycopg.OperationalError, psycopg.InterfaceError) as err:
            raise self._lost(err) from err

    @_guarded
    def count_knowledge(self) -> dict[str, int]:
        docs, passages = self._rows("SELECT COUNT(DISTINCT doc), COUNT(*) FROM passages")[0]
        answers = self._one("SELECT COUNT(*) FROM answers")
        return {"documents": int(docs), "passages": int(passages), "answers": int(answers)}

    # -- privacy ------------------------------------------------------------------------------
    @_guarded
    def visitor_sessions(self, visitors: Sequence[str]) -> set[str]:
        if not visitors:
            return set()
        rows = self._rows(
            "SELECT DISTINCT session_id FROM events WHERE session_id IS NOT NULL "
            "AND (visitor = ANY(%s) OR user_id = ANY(%s))",
            [list(visitors), list(visitors)],
        )
        return {str(r[0]) for r in rows}

    @_guarded
    def forget_visitors(self, visitors: Sequence[str], actor: str) -> int:
        with self.transaction():
            sessions = sorted(self.visitor_sessions(visitors))
            keys = list(dict.fromkeys([*visitors, *(f"~{s}" for s in sessions)]))
            conn = self._conn()
            deleted = int(
                conn.execute(
                    "DELETE FROM events WHERE visitor = ANY(%s) OR user_id = ANY(%s) "
                    "OR session_id = ANY(%s)",
                    [keys, keys, sessions],
                ).rowcount
            )
            pattern = forgotten_pattern([*keys, *sessions])
            for rid, text in self._rows("SELECT id, report FROM ingest_reports FOR UPDATE"):
                scrubbed = pattern.sub(FORGOTTEN, text)
                if scrubbed != text:
                    conn.execute(
                        "UPDATE ingest_reports SET report = %s WHERE id = %s", (scrubbed, rid)
                    )
            self._audit("forget", actor, len(visitors), deleted)
        self._vacuum()
        return deleted

    @_guarded
    def delete_events_before(self, ts: float, actor: str) -> int:
        with self.transaction():
            deleted = int(self._conn().execute("DELETE FROM events WHERE ts < %s", [ts]).rowcount)
            self._audit("retention", actor, 0, deleted)
        self._vacuum()
        return deleted

    def _vacuum(self) -> None:
        """Free the deleted rows' space for reuse (outside any transaction)."""
        if self._depth() == 0:
            self._conn().execute("VACUUM events, ingest_reports")

    @_guarded
    def audit(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._rows(
            "SELECT at, action, actor, visitors, rows FROM audit ORDER BY id DESC LIMIT %s",
            [limit],
        )
        return [
            {"at": at, "action": action, "actor": actor, "visitors": visitors, "rows": count}
            for at, action, actor, visitors, count in rows
        ]

    def _audit(self, action: str, actor: str, visitors: int, rows: int) -> None:
        self._conn().execute(
            "INSERT INTO audit (at, action, actor, visitors, rows) VALUES (%s, %s, %s, %s, %s)",
            (time.time(), action, actor, visitors, rows),
        )

    # -- shared builds ----------------------------------------------------------------------
    shares_builds = True

    @_guarded
    def publish_build(self, build_id: str, archive: Path, keep: int) -> None:
        size = archive.stat().st_size
        with self.transaction():
            conn = self._conn()
            conn.execute(
                "INSERT INTO builds (id, published, bytes, sha256) VALUES (%s, %s, %s, %s)",
                (build_id, time.time(), size, sha256_of(archive)),
            )
            with archive.open("rb") as fh:
                for n, block in enumerate(iter(lambda: fh.read(BUILD_CHUNK), b"")):
                    conn.execute(
                        "INSERT INTO build_chunks (build_id, n, data) VALUES (%s, %s, %s)",
                        (build_id, n, block),
                    )
            conn.execute(
                "DELETE FROM builds WHERE id NOT IN "
                "(SELECT id FROM builds ORDER BY id DESC LIMIT %s)",
                (max(1, keep),),
            )

    @_guarded
    def latest_build(self) -> str | None:
        found = self._one("SELECT MAX(id) FROM builds")
        return None if found is None else str(found)

    @_guarded
    def read_build(self, build_id: str, out: BinaryIO) -> None:
        with self.transaction():  # one snapshot: a build pruned meanwhile is read whole
            expected = self._rows("SELECT bytes, sha256 FROM builds WHERE id = %s", [build_id])
            if not expected:
                raise NotFound(f"build {build_id} is not published in this store")
            digest = hashlib.sha256()
            count = int(
                self._one("SELECT COUNT(*) FROM build_chunks WHERE build_id = %s", [build_id])
            )
            for n in range(count):  # one chunk in memory at a time
                block = bytes(
                    self._one(
                        "SELECT data FROM build_chunks WHERE build_id = %s AND n = %s",
                        [build_id, n],
                    )
                )
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != expected[0][1]:
            raise StoreError(f"the published build {build_id} fails its checksum; build again")

    # -- reports and stats ------------------------------------------------------------------
    @_guarded
    def record_ingest(self, report: dict[str, Any]) -> int:
        text = json.dumps(report, ensure_ascii=False, sort_keys=True)  # NUL comes escaped
        with self.transaction():
            return int(
                self._one(
                    "INSERT INTO ingest_reports (kind, source, finished_at, report) "
                    "VALUES (%s, %s, %s, %s) RETURNING id",
                    [
                        str(report.get("kind", "")).replace("\x00", "\ufffd"),
                        str(report.get("source", "")).replace("\x00", "\ufffd"),
                        time.time(),
                        text,
                    ],
                )
            )

    @_guarded
    def ingest_reports(self, limit: int = 20) -> list[dict[str, Any]]:
        out = []
        for rid, finished, text in self._rows(
            "SELECT id, finished_at, report FROM ingest_reports ORDER BY id DESC LIMIT %s", [limit]
        ):
            report: dict[str, Any] = json.loads(text)
            report["id"] = int(rid)
            report["finished_at"] = finished
            out.append(report)
        return out

    @_guarded
    def stats(self) -> StoreStats:
        by_type = {
            str(t): int(n)
            for t, n in self._rows("SELECT type, COUNT(*) FROM events GROUP BY type ORDER BY 1")
        }
        unknown = self._one(
            "SELECT COUNT(*) FROM events e WHERE e.item_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM products p WHERE p.id = e.item_id)"
        )
        visitors = self._one("SELECT COUNT(DISTINCT visitor) FROM events")
        return StoreStats(
            products=self.count_products(),
            events=sum(by_type.values()),
            visitors=int(visitors),
            events_by_type=by_type,
            unknown_item_events=int(unknown),
            schema_version=self.schema_version(),
        )


def _bad_text(rows: Sequence[tuple[Any, ...]], err: Exception) -> Exception:
    """The first row holding a NUL character, which PostgreSQL text cannot store, as bad
    input; any other data error as it is."""
    for n, row in enumerate(rows, start=1):
        for value in row:
            if isinstance(value, str) and "\x00" in value:
                return InvalidInput(
                    [
                        RowError(
                            n,
                            "text",
                            "holds a NUL character (0x00), which PostgreSQL cannot store",
                            "remove the NUL characters from the row's text",
                            value[:40],
                        )
                    ]
                )
    return StoreError(f"PostgreSQL refused the write: {err}")
