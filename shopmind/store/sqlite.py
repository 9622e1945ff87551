"""The embedded default store: one SQLite file in WAL mode.

Each thread gets its own connection (WAL lets readers run beside the single writer);
writes go through ``transaction()``, which is re-entrant within a thread so that an ingest
can wrap many chunk writes into one all-or-nothing commit.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from shopmind.catalog.models import Product, ProductPatch, normalise_category
from shopmind.errors import StoreError
from shopmind.events.models import Event, StoredEvent
from shopmind.knowledge.models import Passage, PastAnswer
from shopmind.redact import FORGOTTEN, forgotten_pattern
from shopmind.store.base import ProductPage, Store, StoreStats, VisitorSummary, WriteResult
from shopmind.store.rows import (
    EVENT_COLUMNS,
    PRODUCT_COLUMNS,
    apply_patches,
    event_filters,
    event_from_row,
    event_row,
    product_from_row,
    product_row,
)
from shopmind.store.schema import (
    DEFERRABLE_EVENT_INDEXES,
    LATEST_VERSION,
    current_version,
    migrate,
)

_IN_CHUNK = 900  # stays below SQLite's bound-parameter limit
_INSERT_EVENTS = (
    "INSERT INTO events (event_id, visitor, user_id, session_id, item_id, type, value, "
    "query, position, page, ts, context, quantity, price) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING"
)
BULK_REBUILD_LIMIT = 200_000  # events already stored above which bulk_load defers nothing

logger = logging.getLogger(__name__)


class SQLiteStore(Store):
    """A :class:`Store` in one SQLite file.

    Args:
        path: the database file; its folder is created when missing.
        busy_timeout_ms: how long a writer waits for another writer.
        synchronous: ``full`` (fsync every commit) or ``normal`` (fsync at checkpoints).
        cache_mb: the page cache per connection; a large one keeps bulk index inserts in RAM.
    """

    latest_version = LATEST_VERSION

    def __init__(
        self,
        path: str | Path,
        busy_timeout_ms: int = 30_000,
        synchronous: Literal["full", "normal"] = "full",
        cache_mb: int = 64,
    ) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self._busy_timeout_ms = busy_timeout_ms
        self._synchronous = synchronous
        self._cache_kib = cache_mb * 1024
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        migrate(self._conn())

    # -- connections and transactions -------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=0
                )
                conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
                enable_wal(conn, self._busy_timeout_ms / 1000)
                conn.execute(f"PRAGMA synchronous = {self._synchronous.upper()}")
                conn.execute(f"PRAGMA cache_size = -{int(self._cache_kib)}")
                conn.execute("PRAGMA secure_delete = ON")  # a deleted row leaves zeros
            except sqlite3.DatabaseError as err:
                raise StoreError(f"cannot open the store {self.path}: {err}") from err
            self._local.conn = conn
            self._local.depth = 0
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self._conn()
        depth: int = self._local.depth
        if depth == 0:
            conn.execute("BEGIN IMMEDIATE")
        self._local.depth = depth + 1
        try:
            yield
        except BaseException:
            self._local.depth = depth
            if depth == 0:
                conn.execute("ROLLBACK")
            raise
        self._local.depth = depth
        if depth == 0:
            conn.execute("COMMIT")

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Drop the secondary event indexes while a large load runs into a small table.

        Building an index once over sorted data is much cheaper than maintaining it row by
        row; with more than ``BULK_REBUILD_LIMIT`` events already stored, rebuilding would
        cost more than it saves and nothing is deferred. Must run inside ``transaction()``.
        """
        if self._local.depth == 0:
            raise StoreError("bulk_load() must run inside transaction()")
        conn = self._conn()
        if self.count_events() > BULK_REBUILD_LIMIT:
            yield
            return
        for name in DEFERRABLE_EVENT_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        try:
            yield
        finally:
            for sql in DEFERRABLE_EVENT_INDEXES.values():
                conn.execute(sql)

    def schema_version(self) -> int:
        return current_version(self._conn())

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._closed = True

    # -- products ---------------------------------------------------------------------------
    def known_product_ids(self, ids: Sequence[str]) -> set[str]:
        conn = self._conn()
        found: set[str] = set()
        for part, marks in _in_chunks(ids):
            rows = conn.execute(f"SELECT id FROM products WHERE id IN ({marks})", part)
            found.update(r[0] for r in rows)
        return found

    def catalog_version(self) -> int:
        row = self._conn().execute("SELECT value FROM meta WHERE key = 'catalog_version'")
        return int(row.fetchone()[0])

    def _catalog_changed(self) -> None:
        self._conn().execute("UPDATE meta SET value = value + 1 WHERE key = 'catalog_version'")

    def upsert_products(self, products: Sequence[Product]) -> WriteResult:
        if not products:
            return WriteResult()
        now = time.time()
        rows = [product_row(p, now) for p in products]
        sql = (
            f"INSERT INTO products ({PRODUCT_COLUMNS}) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
            "title=excluded.title, description=excluded.description, "
            "category=excluded.category, brand=excluded.brand, price=excluded.price, "
            "currency=excluded.currency, stock=excluded.stock, in_stock=excluded.in_stock, "
            "attributes=excluded.attributes, image_url=excluded.image_url, url=excluded.url, "
            "language=excluded.language, updated_at=excluded.updated_at, "
            "created_at=CASE WHEN ?16 THEN excluded.created_at ELSE products.created_at END"
        )
        params = [(*r, p.created_at is not None) for r, p in zip(rows, products, strict=True)]
        distinct = list({p.id for p in products})
        with self.transaction():
            existing = self.known_product_ids(distinct)
            self._conn().executemany(sql, params)
            self._catalog_changed()
        return WriteResult(inserted=len(distinct) - len(existing), updated=len(existing))

    def patch_products(self, patches: Sequence[ProductPatch]) -> WriteResult:
        if not patches:
            return WriteResult()
        with self.transaction():
            current = self.get_products(list({p.id for p in patches}))
            changed = apply_patches(current, patches)
            self.upsert_products(changed)
        return WriteResult(updated=len(changed))

    def delete_products(self, ids: Sequence[str]) -> int:
        deleted = 0
        with self.transaction():
            conn = self._conn()
            for part, marks in _in_chunks(ids):
                cur = conn.execute(f"DELETE FROM products WHERE id IN ({marks})", part)
                deleted += cur.rowcount
            if deleted:
                self._catalog_changed()
        return deleted

    def get_products(self, ids: Sequence[str]) -> dict[str, Product]:
        conn = self._conn()
        out: dict[str, Product] = {}
        for part, marks in _in_chunks(ids):
            sql = f"SELECT {PRODUCT_COLUMNS} FROM products WHERE id IN ({marks})"
            for row in conn.execute(sql, part):
                product = product_from_row(row)
                out[product.id] = product
        return out

    def list_products(
        self, offset: int = 0, limit: int = 100, category: str | None = None
    ) -> ProductPage:
        conn = self._conn()
        where, params = "", []
        category = normalise_category(category) if category else None
        if category:
            where = "WHERE category = ? OR category LIKE ? ESCAPE '\\'"
            escaped = category.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params = [category, f"{escaped} > %"]
        total = int(conn.execute(f"SELECT COUNT(*) FROM products {where}", params).fetchone()[0])
        rows = conn.execute(
            f"SELECT {PRODUCT_COLUMNS} FROM products {where} ORDER BY id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return ProductPage([product_from_row(r) for r in rows], total, offset, limit)

    def iter_products(self, batch: int = 5_000) -> Iterator[list[Product]]:
        cur = self._conn().execute(f"SELECT {PRODUCT_COLUMNS} FROM products ORDER BY id")
        while rows := cur.fetchmany(batch):
            yield [product_from_row(r) for r in rows]

    def product_ids(self) -> set[str]:
        return {r[0] for r in self._conn().execute("SELECT id FROM products")}

    def count_products(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM products").fetchone()[0])

    # -- events -----------------------------------------------------------------------------
    def add_events(self, events: Sequence[Event]) -> WriteResult:
        if not events:
            return WriteResult()
        return self._append(_INSERT_EVENTS, [event_row(e) for e in events])

    def append_stored(self, events: Sequence[StoredEvent]) -> WriteResult:
        if not events:
            return WriteResult()
        return self._append(_INSERT_EVENTS, [event_row(e) for e in events])

    def _append(self, sql: str, rows: list[tuple[Any, ...]]) -> WriteResult:
        with self.transaction():
            conn = self._conn()
            before = conn.total_changes
            conn.executemany(sql, rows)
            inserted = conn.total_changes - before
        return WriteResult(inserted=inserted, duplicates=len(rows) - inserted)

    def list_events(
        self,
        visitor: str | None = None,
        item_id: str | None = None,
        limit: int = 100,
        types: Sequence[str] | None = None,
    ) -> list[StoredEvent]:
        clauses, params = event_filters(visitor, item_id, "?")
        if types is not None:
            clauses.append(f"type IN ({', '.join('?' * len(types))})" if types else "0")
            params.extend(types)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = (
            f"SELECT {EVENT_COLUMNS} FROM events {where} "
            "ORDER BY COALESCE(ts, 0) DESC, seq DESC LIMIT ?"
        )
        return [event_from_row(r) for r in self._conn().execute(sql, [*params, limit])]

    def iter_events(
        self, batch: int = 50_000, since: float | None = None
    ) -> Iterator[list[StoredEvent]]:
        where, params = ("", ()) if since is None else (" WHERE COALESCE(ts, 0) >= ?", (since,))
        cur = self._conn().execute(
            f"SELECT {EVENT_COLUMNS} FROM events{where} ORDER BY ts, seq", params
        )
        while rows := cur.fetchmany(batch):
            yield [event_from_row(r) for r in rows]

    def count_events(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def top_visitors(self, limit: int = 50) -> list[VisitorSummary]:
        rows = self._conn().execute(
            "SELECT visitor, COUNT(*) AS n, MAX(ts) AS last FROM events GROUP BY visitor "
            "ORDER BY n DESC, last IS NULL, last DESC, visitor LIMIT ?",
            (limit,),
        )
        return [VisitorSummary(str(v), int(n), None if t is None else float(t)) for v, n, t in rows]

    # -- knowledge --------------------------------------------------------------------------
    def knowledge_version(self) -> int:
        row = self._conn().execute("SELECT value FROM meta WHERE key = 'knowledge_version'")
        return int(row.fetchone()[0])

    def _knowledge_changed(self) -> None:
        self._conn().execute("UPDATE meta SET value = value + 1 WHERE key = 'knowledge_version'")

    def replace_documents(self, passages: Sequence[Passage]) -> WriteResult:
        docs = sorted({p.doc for p in passages})
        if not docs:
            return WriteResult()
        now = time.time()
        with self.transaction():
            conn = self._conn()
            replaced = 0
            for chunk, marks in _in_chunks(docs):
                replaced += int(
                    conn.execute(
                        f"SELECT COUNT(DISTINCT doc) FROM passages WHERE doc IN ({marks})", chunk
                    ).fetchone()[0]
                )
                conn.execute(f"DELETE FROM passages WHERE doc IN ({marks})", chunk)
            conn.executemany(
                "INSERT INTO passages (id, doc, position, title, text, source, url, updated_at) "
                "VALUES (?,?,?,?,?,?,?,?)",
                [
                    (p.id, p.doc, p.position, p.title, p.text, p.source, p.url, now)
                    for p in passages
                ],
            )
            self._knowledge_changed()
        return WriteResult(inserted=len(passages), updated=replaced)

    def list_passages(self, doc: str | None = None) -> list[Passage]:
        sql = "SELECT id, doc, position, title, text, source, url FROM passages"
        args: tuple[Any, ...] = ()
        if doc is not None:
            sql += " WHERE doc = ?"
            args = (doc,)
        rows = self._conn().execute(sql + " ORDER BY doc, position", args)
        return [
            Passage(id=i, doc=d, position=n, title=t, text=x, source=s, url=u)
            for i, d, n, t, x, s, u in rows
        ]

    def add_answers(self, answers: Sequence[PastAnswer]) -> WriteResult:
        if not answers:
            return WriteResult()
        now = time.time()
        with self.transaction():
            conn = self._conn()
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO answers (id, question, answer, product_id, ts, added_at) "
                "VALUES (?,?,?,?,?,?)",
                [(a.key, a.question, a.answer, a.product_id, a.time, now) for a in answers],
            )
            inserted = conn.total_changes - before
            if inserted:
                self._knowledge_changed()
        return WriteResult(inserted=inserted, duplicates=len(answers) - inserted)

    def iter_answers(self, batch: int = 10_000) -> Iterator[list[PastAnswer]]:
        last = ""
        conn = self._conn()
        while True:
            rows = conn.execute(
                "SELECT id, question, answer, product_id, ts FROM answers WHERE id > ? "
                "ORDER BY id LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                return
            yield [
                PastAnswer(id=i, question=q, answer=a, product_id=p, time=t)
                for i, q, a, p, t in rows
            ]
            last = rows[-1][0]

    def count_knowledge(self) -> dict[str, int]:
        conn = self._conn()
        docs, passages = conn.execute(
            "SELECT COUNT(DISTINCT doc), COUNT(*) FROM passages"
        ).fetchone()
        answers = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        return {"documents": int(docs), "passages": int(passages), "answers": int(answers)}

    # -- reports and stats ------------------------------------------------------------------
    # -- privacy ------------------------------------------------------------------------------
    def visitor_sessions(self, visitors: Sequence[str]) -> set[str]:
        conn = self._conn()
        out: set[str] = set()
        for part, marks in _in_chunks(visitors):
            rows = conn.execute(
                f"SELECT DISTINCT session_id FROM events WHERE session_id IS NOT NULL "
                f"AND (visitor IN ({marks}) OR user_id IN ({marks}))",
                part + part,
            )
            out.update(str(r[0]) for r in rows)
        return out

    def forget_visitors(self, visitors: Sequence[str], actor: str) -> int:
        sessions = sorted(self.visitor_sessions(visitors))
        keys = list(dict.fromkeys([*visitors, *(f"~{s}" for s in sessions)]))
        deleted = 0
        with self.transaction():
            conn = self._conn()
            for part, marks in _in_chunks(keys):
                deleted += conn.execute(
                    f"DELETE FROM events WHERE visitor IN ({marks}) OR user_id IN ({marks})",
                    part + part,
                ).rowcount
            for part, marks in _in_chunks(sessions):
                sql = f"DELETE FROM events WHERE session_id IN ({marks})"
                deleted += conn.execute(sql, part).rowcount
            pattern = forgotten_pattern([*keys, *sessions])
            for rid, text in conn.execute("SELECT id, report FROM ingest_reports").fetchall():
                scrubbed = pattern.sub(FORGOTTEN, text)
                if scrubbed != text:
                    conn.execute(
                        "UPDATE ingest_reports SET report = ? WHERE id = ?", (scrubbed, rid)
                    )
            self._audit("forget", actor, len(visitors), deleted)
        self._checkpoint()
        return deleted

    def delete_events_before(self, ts: float, actor: str) -> int:
        with self.transaction():
            deleted = self._conn().execute("DELETE FROM events WHERE ts < ?", (ts,)).rowcount
            self._audit("retention", actor, 0, deleted)
        self._checkpoint()
        return int(deleted)

    def audit(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT at, action, actor, visitors, rows FROM audit ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            {"at": at, "action": action, "actor": actor, "visitors": visitors, "rows": count}
            for at, action, actor, visitors, count in rows
        ]

    def _audit(self, action: str, actor: str, visitors: int, rows: int) -> None:
        self._conn().execute(
            "INSERT INTO audit (at, action, actor, visitors, rows) VALUES (?, ?, ?, ?, ?)",
            (time.time(), action, actor, visitors, rows),
        )

    def _checkpoint(self) -> None:
        """Move the write-ahead log into the file and empty it: with ``secure_delete`` on,
        no copy of a deleted row is left in either (best effort while readers hold it)."""
        try:
            self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as err:  # busy: the next checkpoint will do it
            logger.warning("checkpoint after a deletion postponed: %s", err)

    def record_ingest(self, report: dict[str, Any]) -> int:
        with self.transaction():
            cur = self._conn().execute(
                "INSERT INTO ingest_reports (kind, source, finished_at, report) VALUES (?,?,?,?)",
                (
                    str(report.get("kind", "")),
                    str(report.get("source", "")),
                    time.time(),
                    json.dumps(report, ensure_ascii=False, sort_keys=True),
                ),
            )
            return int(cur.lastrowid or 0)

    def ingest_reports(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT id, finished_at, report FROM ingest_reports ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        out = []
        for rid, finished, text in rows:
            report: dict[str, Any] = json.loads(text)
            report["id"] = rid
            report["finished_at"] = finished
            out.append(report)
        return out

    def stats(self) -> StoreStats:
        conn = self._conn()
        by_type = {
            str(t): int(n)
            for t, n in conn.execute("SELECT type, COUNT(*) FROM events GROUP BY type ORDER BY 1")
        }
        unknown = conn.execute(
            "SELECT COUNT(*) FROM events e WHERE e.item_id IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM products p WHERE p.id = e.item_id)"
        ).fetchone()[0]
        visitors = conn.execute("SELECT COUNT(DISTINCT visitor) FROM events").fetchone()[0]
        return StoreStats(
            products=self.count_products(),
            events=sum(by_type.values()),
            visitors=int(visitors),
            events_by_type=by_type,
            unknown_item_events=int(unknown),
            schema_version=self.schema_version(),
        )


def _in_chunks(ids: Sequence[str]) -> Iterator[tuple[list[str], str]]:
    """Ids in slices small enough for one ``IN (?, ...)``, with the slice's placeholders."""
    for start in range(0, len(ids), _IN_CHUNK):
        part = list(ids[start : start + _IN_CHUNK])
        yield part, ",".join("?" * len(part))


def enable_wal(conn: sqlite3.Connection, wait_s: float) -> None:
    """Put the file in WAL mode (it stays so). Switching needs the file to itself, and
    SQLite does not wait for that: when other processes open a new file at the same moment
    (a server's workers: the store, the campaign book), retry until ``wait_s`` has passed."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + wait_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
