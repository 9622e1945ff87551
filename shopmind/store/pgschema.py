"""PostgreSQL schema versions and the migrations between them.

The version lives in ``meta`` (key ``schema_version``). Each migration runs in one
transaction with the version bump, under an advisory lock, so that several serving nodes
starting at once migrate a store once and a crash leaves it at the old version or the new.
Text keys are ``COLLATE "C"``: ids order by their bytes, as in SQLite, whatever the
database's locale.

One visitor's recent events stay one index range read at any size: ``events_visitor``
holds ``(visitor, time, seq)`` in the order ``list_events`` reads them.
"""

from __future__ import annotations

import logging
from typing import Any

from shopmind.errors import SchemaVersionError, StoreError
from shopmind.store.schema import Migration

logger = logging.getLogger(__name__)

_LOCK = 0x5E0B_0001  # the advisory lock id migrations take

PG_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "products, events, reports, knowledge, audit (SQLite's schema 5)",
        """
        CREATE TABLE IF NOT EXISTS meta (
            key   TEXT COLLATE "C" PRIMARY KEY,
            value BIGINT NOT NULL
        );
        INSERT INTO meta (key, value) VALUES ('catalog_version', 0), ('knowledge_version', 0)
            ON CONFLICT (key) DO NOTHING;

        CREATE TABLE products (
            id          TEXT COLLATE "C" PRIMARY KEY,
            title       TEXT NOT NULL,
            description TEXT,
            category    TEXT COLLATE "C",
            brand       TEXT,
            price       DOUBLE PRECISION,
            currency    TEXT,
            stock       BIGINT,
            in_stock    BOOLEAN NOT NULL,
            attributes  TEXT NOT NULL DEFAULT '{}',
            image_url   TEXT,
            url         TEXT,
            language    TEXT NOT NULL,
            created_at  DOUBLE PRECISION NOT NULL,
            updated_at  DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX products_category ON products (category);

        CREATE TABLE events (
            seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id    TEXT COLLATE "C",
            visitor     TEXT COLLATE "C" NOT NULL,
            user_id     TEXT COLLATE "C",
            session_id  TEXT COLLATE "C",
            item_id     TEXT COLLATE "C",
            type        TEXT NOT NULL,
            value       DOUBLE PRECISION,
            query       TEXT,
            position    BIGINT,
            page        BIGINT,
            ts          DOUBLE PRECISION,
            context     TEXT,
            quantity    DOUBLE PRECISION,
            price       DOUBLE PRECISION
        );
        CREATE UNIQUE INDEX events_event_id ON events (event_id) WHERE event_id IS NOT NULL;
        CREATE INDEX events_visitor ON events (visitor, (COALESCE(ts, 0)) DESC, seq DESC);
        CREATE INDEX events_item ON events (item_id);
        CREATE INDEX events_user ON events (user_id) WHERE user_id IS NOT NULL;
        CREATE INDEX events_session ON events (session_id) WHERE session_id IS NOT NULL;

        CREATE TABLE ingest_reports (
            id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            kind        TEXT NOT NULL,
            source      TEXT NOT NULL,
            finished_at DOUBLE PRECISION NOT NULL,
            report      TEXT NOT NULL
        );

        CREATE TABLE passages (
            id          TEXT COLLATE "C" PRIMARY KEY,
            doc         TEXT COLLATE "C" NOT NULL,
            position    BIGINT NOT NULL,
            title       TEXT NOT NULL,
            text        TEXT NOT NULL,
            source      TEXT NOT NULL,
            url         TEXT,
            updated_at  DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX passages_doc ON passages (doc, position);

        CREATE TABLE answers (
            id          TEXT COLLATE "C" PRIMARY KEY,
            question    TEXT NOT NULL,
            answer      TEXT NOT NULL,
            product_id  TEXT COLLATE "C",
            ts          DOUBLE PRECISION,
            added_at    DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX answers_product ON answers (product_id);

        CREATE TABLE audit (
            id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at          DOUBLE PRECISION NOT NULL,
            action      TEXT NOT NULL,
            actor       TEXT NOT NULL,
            visitors    BIGINT NOT NULL,
            rows        BIGINT NOT NULL
        );
        """,
    ),
    Migration(
        2,
        "published builds, so that serving nodes with homes of their own follow one build",
        """
        CREATE TABLE builds (
            id          TEXT COLLATE "C" PRIMARY KEY,
            published   DOUBLE PRECISION NOT NULL,
            bytes       BIGINT NOT NULL,
            sha256      TEXT NOT NULL
        );
        CREATE TABLE build_chunks (
            build_id    TEXT COLLATE "C" NOT NULL REFERENCES builds (id) ON DELETE CASCADE,
            n           INTEGER NOT NULL,
            data        BYTEA NOT NULL,
            PRIMARY KEY (build_id, n)
        );
        """,
    ),
)

PG_LATEST_VERSION = PG_MIGRATIONS[-1].version

# Secondary indexes a bulk load may drop and build again (the unique event_id index stays:
# it is what makes re-sending idempotent). Keep in step with the latest schema above.
PG_EVENT_INDEXES: dict[str, str] = {
    "events_visitor": (
        "CREATE INDEX events_visitor ON events (visitor, (COALESCE(ts, 0)) DESC, seq DESC)"
    ),
    "events_item": "CREATE INDEX events_item ON events (item_id)",
    "events_user": "CREATE INDEX events_user ON events (user_id) WHERE user_id IS NOT NULL",
    "events_session": (
        "CREATE INDEX events_session ON events (session_id) WHERE session_id IS NOT NULL"
    ),
}


def pg_current_version(conn: Any) -> int:
    """The schema version recorded in the database (0 for an empty one)."""
    row = conn.execute(
        "SELECT value FROM meta WHERE key = 'schema_version'"
        if _has_meta(conn)
        else "SELECT 0 WHERE FALSE"
    ).fetchone()
    return int(row[0]) if row else 0


def _has_meta(conn: Any) -> bool:
    return conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0] is True


def pg_migrate(conn: Any, migrations: tuple[Migration, ...] = PG_MIGRATIONS) -> int:
    """Bring the database to the latest version; ``conn`` is in autocommit mode.

    Raises:
        SchemaVersionError: the database is newer than the newest migration known here.
        StoreError: a migration failed; the database stays at the last completed version.
    """
    import psycopg

    latest = migrations[-1].version if migrations else 0
    version = pg_current_version(conn)
    if version > latest:
        raise SchemaVersionError(
            f"the store is at schema version {version} but this shopmind knows up to "
            f"{latest}; upgrade shopmind to open it"
        )
    for step in migrations:
        if step.version <= version:
            continue
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                version = pg_current_version(conn)  # another node may have done it meanwhile
                if step.version <= version:
                    continue
                logger.info("migrating store to schema %d: %s", step.version, step.description)
                conn.execute(step.sql)
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (step.version,),
                )
        except psycopg.Error as err:
            raise StoreError(
                f"migration to schema {step.version} ({step.description}) failed: {err}; "
                f"the store was left at version {version}"
            ) from err
        version = step.version
    return version
