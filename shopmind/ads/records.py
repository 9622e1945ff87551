"""What the campaign book stores: the ledger's rows, money in micro-units, UTC days, and the
book's SQL schema (one ``ads.sqlite`` file, versioned by ``PRAGMA user_version``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

SCHEMA_VERSION = 1
DAY_SECONDS = 86_400
MICROS = 1_000_000
IN_CHUNK = 900  # ids per IN (...), below SQLite's bound-parameter limit

SCHEMA = """
CREATE TABLE IF NOT EXISTS campaigns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    status TEXT NOT NULL,
    created REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS impressions (
    token TEXT PRIMARY KEY,
    campaign INTEGER NOT NULL,
    visitor TEXT,
    product TEXT NOT NULL,
    placement TEXT NOT NULL,
    query TEXT,
    slot INTEGER NOT NULL,
    pctr REAL NOT NULL,
    quality REAL NOT NULL,
    price INTEGER NOT NULL,
    ts REAL NOT NULL,
    day INTEGER NOT NULL,
    clicked_ts REAL,
    charge INTEGER
);
CREATE INDEX IF NOT EXISTS impressions_visitor ON impressions (visitor, day, campaign);
CREATE INDEX IF NOT EXISTS impressions_clicked ON impressions (campaign, clicked_ts);
CREATE TABLE IF NOT EXISTS spend (
    campaign INTEGER NOT NULL,
    day INTEGER NOT NULL,
    spend INTEGER NOT NULL DEFAULT 0,
    impressions INTEGER NOT NULL DEFAULT 0,
    clicks INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (campaign, day)
);
CREATE TABLE IF NOT EXISTS product_counts (
    campaign INTEGER NOT NULL,
    product TEXT NOT NULL,
    impressions INTEGER NOT NULL DEFAULT 0,
    clicks INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product, campaign)
);
CREATE TABLE IF NOT EXISTS book_meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO book_meta (key, value) VALUES ('campaigns_version', 0);
"""


def to_micros(amount: float) -> int:
    """An amount of money in micro-units."""
    return round(amount * MICROS)


def utc_day(ts: float) -> int:
    """The UTC day number (days since 1970-01-01) of epoch seconds."""
    return int(ts // DAY_SECONDS)


def epoch(now: datetime | None) -> float:
    """Epoch seconds of ``now`` (a naive time is UTC); the current time when None."""
    if now is None:
        return datetime.now(UTC).timestamp()
    return (now if now.tzinfo is not None else now.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True, slots=True)
class Impression:
    """One sponsored product shown: who saw which campaign's product where, at what price."""

    token: str
    campaign: int
    visitor: str | None
    product: str
    placement: Literal["search", "recommend"]
    query: str | None
    slot: int
    pctr: float
    quality: float
    price: float  # the GSP price per click
    ts: float


@dataclass(frozen=True, slots=True)
class AdClick:
    """A charged or free click on an impression, as attribution reads it."""

    visitor: str | None
    product: str
    ts: float
