"""SQLite schema versions and the migrations between them.

The schema version lives in ``PRAGMA user_version``. Each migration runs in its own
transaction together with the version bump, so a crash leaves the store at the old version
or the new one, never between. A store newer than this code is refused, not touched.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from shopmind.errors import SchemaVersionError, StoreError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One step from ``version - 1`` to ``version``."""

    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "products, events, ingest reports",
        """
        CREATE TABLE products (
            id          TEXT PRIMARY KEY,
            title       TEXT NOT NULL,
            description TEXT,
            category    TEXT,
            brand       TEXT,
            price       REAL,
            currency    TEXT,
            stock       INTEGER,
            in_stock    INTEGER NOT NULL,
            attributes  TEXT NOT NULL DEFAULT '{}',
            image_url   TEXT,
            url         TEXT,
            language    TEXT NOT NULL,
            created_at  REAL NOT NULL,
            updated_at  REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX products_category ON products (category);

        CREATE TABLE events (
            seq         INTEGER PRIMARY KEY,
            event_id    TEXT,
            visitor     TEXT NOT NULL,
            user_id     TEXT,
            session_id  TEXT,
            item_id     TEXT,
            type        TEXT NOT NULL,
            value       REAL,
            query       TEXT,
            position    INTEGER,
            page        INTEGER,
            ts          REAL,
            context     TEXT
        );
        CREATE UNIQUE INDEX events_event_id ON events (event_id) WHERE event_id IS NOT NULL;
        CREATE INDEX events_visitor ON events (visitor, ts);
        CREATE INDEX events_item ON events (item_id);

        CREATE TABLE ingest_reports (
            id          INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL,
            source      TEXT NOT NULL,
            finished_at REAL NOT NULL,
            report      TEXT NOT NULL
        );
        """,
    ),
    Migration(
        2,
        "the catalog version, bumped by every product write (server processes poll it)",
        """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES ('catalog_version', 0);
        """,
    ),
    Migration(
        3,
        "the assistant's knowledge: passages of the shop's pages and past answers",
        """
        CREATE TABLE passages (
            id          TEXT PRIMARY KEY,
            doc         TEXT NOT NULL,
            position    INTEGER NOT NULL,
            title       TEXT NOT NULL,
            text        TEXT NOT NULL,
            source      TEXT NOT NULL,
            url         TEXT,
            updated_at  REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX passages_doc ON passages (doc, position);

        CREATE TABLE answers (
            id          TEXT PRIMARY KEY,
            question    TEXT NOT NULL,
            answer      TEXT NOT NULL,
            product_id  TEXT,
            ts          REAL,
            added_at    REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX answers_product ON answers (product_id);
        INSERT INTO meta (key, value) VALUES ('knowledge_version', 0);
        """,
    ),
    Migration(
        4,
        "units and unit price on events (purchase lines and returns from transaction logs)",
        """
        ALTER TABLE events ADD COLUMN quantity REAL;
        ALTER TABLE events ADD COLUMN price REAL;
        """,
    ),
    Migration(
        5,
        "an audit of deletions (forgotten visitors, retention): who, when, how many rows; no ids",
        """
        CREATE TABLE audit (
            id          INTEGER PRIMARY KEY,
            at          REAL NOT NULL,
            action      TEXT NOT NULL,
            actor       TEXT NOT NULL,
            visitors    INTEGER NOT NULL,
            rows        INTEGER NOT NULL
        );
        CREATE INDEX events_session ON events (session_id) WHERE session_id IS NOT NULL;
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version

# Secondary indexes a bulk load may drop and rebuild (the unique event_id index stays: it
# is what makes re-sending idempotent). Keep in step with the latest schema above.
DEFERRABLE_EVENT_INDEXES: dict[str, str] = {
    "events_visitor": "CREATE INDEX events_visitor ON events (visitor, ts)",
    "events_item": "CREATE INDEX events_item ON events (item_id)",
    "events_session": (
        "CREATE INDEX events_session ON events (session_id) WHERE session_id IS NOT NULL"
    ),
}


def current_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database file."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Bring the database to the latest version; returns the version reached.

    Raises:
        SchemaVersionError: the file is newer than the newest migration known here.
        StoreError: a migration failed; the file stays at the last completed version.
    """
    latest = migrations[-1].version if migrations else 0
    version = current_version(conn)
    if version > latest:
        raise SchemaVersionError(
            f"the store is at schema version {version} but this shopmind knows up to "
            f"{latest}; upgrade shopmind to open it"
        )
    for step in migrations:
        if step.version <= version:
            continue
        try:
            conn.execute("BEGIN IMMEDIATE")
            # another process opening the store at the same time may have migrated it
            # while this one waited for the write lock (the server's worker processes do)
            version = current_version(conn)
            if step.version <= version:
                conn.execute("COMMIT")
                continue
            logger.info("migrating store to schema %d: %s", step.version, step.description)
            for statement in _statements(step.sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except sqlite3.Error as err:
            conn.execute("ROLLBACK")
            raise StoreError(
                f"migration to schema {step.version} ({step.description}) failed: {err}; "
                f"the store was left at version {version}"
            ) from err
        version = step.version
    return version


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]
