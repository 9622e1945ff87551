"""The campaign book: campaigns, the ad-impression ledger and daily spend.

With the SQLite store the book is a file apart from it (``HOME/ads.sqlite``): the ledger is
written on every sponsored impression, and money must never wait behind a catalog import.
With a PostgreSQL store it is tables in the same database, shared by every serving node,
and a click's charge locks its campaign there (``store.sidedb``). Money is kept in
micro-units (integers), so a day's spend adds up exactly. One connection serves every
thread under a lock; each write is one transaction, so a click's charge and the day's
spend it adds to commit together or not at all.

A click charges ``min(price, budget left today)`` once per impression token: a second
click on the same token, or a click once the day's budget is spent, charges nothing, so a
campaign never spends more than its daily budget.

Campaigns are kept in memory and read again when the book's campaigns version changed:
every campaign write raises it, so the processes of one server (``serve.workers``) see
each other's new or paused campaigns at their next read.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shopmind.ads.campaigns import Campaign, CampaignIn, CampaignStatus
from shopmind.ads.records import (
    BOOK_SCHEMA,
    IN_CHUNK,
    MICROS,
    AdClick,
    Impression,
    epoch,
    to_micros,
    utc_day,
)
from shopmind.errors import NotFound, StoreError, StoreUnavailable
from shopmind.store.sidedb import (
    PostgresSideDb,
    SideDb,
    SQLiteSideDb,
    in_database,
    transaction,
)

logger = logging.getLogger(__name__)


class CampaignBook:
    """Campaigns, impressions and spend in one SQLite file (WAL).

    Args:
        path: the database file (``HOME/ads.sqlite``); its folder is created when missing.
        busy_timeout_ms: how long a write waits for another process's write.
    """

    def __init__(
        self, path: str | Path | None, busy_timeout_ms: int = 30_000, db: SideDb | None = None
    ) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.RLock()
        if db is None:
            if self.path is None:
                raise StoreError("a campaign book needs a file or a database")
            db = SQLiteSideDb(self.path, BOOK_SCHEMA, busy_timeout_ms)
        self._db: SideDb = db
        self._closed = False
        with self._lock:
            self._campaigns: dict[int, Campaign] = {}
            self._seen = -1  # the campaigns version the dict above holds
            self._checked = 0.0  # when _fresh last asked the database (monotonic)
            self._fresh()

    @classmethod
    def open(cls, home: Path, store_url: str, busy_timeout_ms: int = 30_000) -> CampaignBook:
        """The shop's book: beside a PostgreSQL store in its database, else ``HOME/ads.sqlite``."""
        if in_database(store_url):
            return cls(None, db=PostgresSideDb(store_url, BOOK_SCHEMA))
        return cls(home / "ads.sqlite", busy_timeout_ms)

    # -- lifecycle --------------------------------------------------------------------------
    def forget_visitors(self, visitors: Sequence[str]) -> int:
        """Delete these visitors' impressions (frequency caps forget them too) and empty the
        write-ahead log; returns the rows deleted. Spend and counts, which name no one, stay."""
        deleted = 0
        with self._lock:
            with self._write() as conn:
                for start in range(0, len(visitors), IN_CHUNK):
                    part = list(visitors[start : start + IN_CHUNK])
                    marks = ",".join("?" * len(part))
                    sql = f"DELETE FROM impressions WHERE visitor IN ({marks})"
                    deleted += conn.execute(sql, part).rowcount
            self._db.scrub()
        return deleted

    def close(self) -> None:
        """Close the file; the book is unusable afterwards."""
        with self._lock:
            if not self._closed:
                self._db.close()
                self._closed = True

    def __enter__(self) -> CampaignBook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[SideDb]:
        """One transaction under the lock: commits on success, rolls back on an error."""
        with self._lock:
            if self._closed:
                raise StoreError(f"the campaign book {self._db.where} is closed")
            try:
                with transaction(self._db) as db:
                    yield db
            except BaseException:
                self._seen = -1  # a campaigns version raised in it was not kept: read again
                raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            if self._closed:
                raise StoreError(f"the campaign book {self._db.where} is closed")
            return list(self._db.execute(sql, params).fetchall())

    # -- campaigns --------------------------------------------------------------------------
    def _fresh(self) -> None:
        """Read the campaigns again if another process (or connection) changed them.
        Call under the lock; a closed book answers from memory."""
        if self._closed:
            return
        self._checked = time.monotonic()
        try:
            row = self._db.execute("SELECT value FROM book_meta WHERE key = 'campaigns_version'")
            version = int(row.fetchone()[0])
        except StoreUnavailable as err:  # a database away: the campaigns known serve on
            logger.warning("campaigns read from memory: %s", err)
            return
        if version != self._seen:
            rows = self._db.execute("SELECT id, status, created, body FROM campaigns").fetchall()
            self._campaigns = {c.id: c for c in (_campaign(*r) for r in rows)}
            self._seen = version

    def _changed(self, conn: SideDb) -> None:
        """Inside a campaign write: catch up with others' writes, then raise the version."""
        self._fresh()
        conn.execute("UPDATE book_meta SET value = value + 1 WHERE key = 'campaigns_version'")
        self._seen += 1

    def add_campaign(self, campaign: CampaignIn, now: datetime | None = None) -> Campaign:
        """Store a validated campaign; returns it with its new id."""
        created = epoch(now)
        body = campaign.model_dump_json(exclude={"status"})
        with self._write() as conn:
            self._changed(conn)
            cid = conn.insert_id(
                "INSERT INTO campaigns (status, created, body) VALUES (?, ?, ?)",
                (campaign.status, created, body),
            )
            stored = _campaign(cid, campaign.status, created, body)
            self._campaigns[stored.id] = stored
        logger.info("campaign %d added: %s (%s)", stored.id, stored.name, stored.advertiser)
        return stored

    def get_campaign(self, campaign_id: int) -> Campaign:
        """One campaign; raises NotFound."""
        with self._lock:
            self._fresh()
            found = self._campaigns.get(campaign_id)
        if found is None:
            raise NotFound(f"campaign {campaign_id} does not exist; GET /campaigns lists them")
        return found

    def campaigns(self, status: CampaignStatus | None = None) -> list[Campaign]:
        """Every campaign (or those with ``status``), by id."""
        with self._lock:
            self._fresh()
            every = sorted(self._campaigns.values(), key=lambda c: c.id)
        return [c for c in every if status is None or c.status == status]

    def any_live(self, now: datetime, within_s: float = 1.0) -> bool:
        """Whether a campaign is live at ``now``: asked before every list, so it asks the
        database at most every ``within_s`` seconds (another process's new campaign shows
        within that; this process's own writes at once). A list with no live campaign
        skips the auction and its reads."""
        with self._lock:
            if time.monotonic() - self._checked >= within_s:
                self._fresh()
            return any(c.live(now) for c in self._campaigns.values())

    def set_status(self, campaign_id: int, status: CampaignStatus) -> Campaign:
        """Pause or resume a campaign; raises NotFound."""
        self.get_campaign(campaign_id)  # NotFound before any write
        with self._write() as conn:
            self._changed(conn)
            current = self._campaigns[campaign_id]
            conn.execute("UPDATE campaigns SET status = ? WHERE id = ?", (status, campaign_id))
            changed = current.model_copy(update={"status": status})
            self._campaigns[campaign_id] = changed
        logger.info("campaign %d is now %s", campaign_id, status)
        return changed

    # -- the ledger -------------------------------------------------------------------------
    def record(self, impressions: Sequence[Impression]) -> None:
        """Append shown ads to the ledger (one transaction for the batch)."""
        if not impressions:
            return
        # the fields in column order, the price in micro-units, plus the UTC day
        rows = [(*astuple(i)[:9], to_micros(i.price), i.ts, utc_day(i.ts)) for i in impressions]
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO impressions (token, campaign, visitor, product, placement, query, "
                "slot, pctr, quality, price, ts, day) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO spend (campaign, day, impressions) VALUES (?, ?, 1) "
                "ON CONFLICT (campaign, day) DO UPDATE SET impressions = spend.impressions + 1",
                [(r[1], r[11]) for r in rows],
            )
            conn.executemany(
                "INSERT INTO product_counts (campaign, product, impressions) VALUES (?, ?, 1) "
                "ON CONFLICT (product, campaign) DO UPDATE SET "
                "impressions = product_counts.impressions + 1",
                [(r[1], r[3]) for r in rows],
            )

    def click(self, token: str, ts: float | None = None, product: str | None = None) -> float:
        """Charge the click on an impression; returns the amount charged.

        Args:
            token: the impression's token (the ``ad`` of an ``ad_click`` event's context).
            ts: when the click happened (epoch seconds; now when None): the day charged.
            product: the clicked product, when known; a click naming another product than
                the impression's is refused (charges nothing).

        Returns:
            ``min(price, budget left today)``; 0 for a token clicked before, an unknown
            token, or a spent budget.
        """
        at = epoch(None) if ts is None else ts
        with self._write() as conn:
            row = conn.execute(
                "SELECT campaign, product, price, clicked_ts, ts FROM impressions WHERE token = ?",
                (token,),
            ).fetchone()
            if row is None:
                logger.warning("ad click on unknown token %r: nothing charged", token)
                return 0.0
            campaign, shown, price, clicked = int(row[0]), str(row[1]), int(row[2]), row[3]
            conn.lock_key(campaign)  # other nodes charging it wait for this commit
            if clicked is None:  # read again under the lock: another node may have charged it
                sql = "SELECT clicked_ts FROM impressions WHERE token = ?"
                clicked = conn.execute(sql, (token,)).fetchone()[0]
            at = max(at, float(row[4]))  # never before the ad was shown
            if clicked is not None:
                return 0.0
            if product is not None and product != shown:
                logger.warning("ad click %s names %s, shown was %s: refused", token, product, shown)
                return 0.0
            day = utc_day(at)
            self._fresh()  # the campaign may be another process's, new to this one
            found = self._campaigns.get(campaign)
            budget = to_micros(found.daily_budget) if found is not None else 0
            spent = conn.execute(
                "SELECT spend FROM spend WHERE campaign = ? AND day = ?", (campaign, day)
            ).fetchone()
            charge = max(0, min(price, budget - (int(spent[0]) if spent else 0)))
            conn.execute(
                "UPDATE impressions SET clicked_ts = ?, charge = ? WHERE token = ?",
                (at, charge, token),
            )
            conn.execute(
                "INSERT INTO spend (campaign, day, spend, clicks) VALUES (?, ?, ?, 1) "
                "ON CONFLICT (campaign, day) DO UPDATE SET spend = spend.spend + excluded.spend, "
                "clicks = spend.clicks + 1",
                (campaign, day, charge),
            )
            conn.execute(
                "UPDATE product_counts SET clicks = clicks + 1 WHERE product = ? AND campaign = ?",
                (shown, campaign),
            )
        return charge / MICROS

    # -- reading spend and counts -----------------------------------------------------------
    def spend_today(self, campaign_id: int, now: datetime | None = None) -> float:
        """What the campaign spent on the UTC day of ``now``."""
        return self.spend_on_day(utc_day(epoch(now))).get(campaign_id, 0.0)

    def spend_on_day(self, day: int) -> dict[int, float]:
        """Spend per campaign on one UTC day number."""
        rows = self._read("SELECT campaign, spend FROM spend WHERE day = ?", (day,))
        return {int(c): int(s) / MICROS for c, s in rows}

    def impressions_today(self, visitor: str, campaign_id: int, now: datetime | None = None) -> int:
        """Impressions of one campaign to one visitor on the UTC day of ``now``."""
        return self.visitor_impressions(visitor, utc_day(epoch(now))).get(campaign_id, 0)

    def visitor_impressions(self, visitor: str, day: int) -> dict[int, int]:
        """Impressions per campaign to one visitor on one UTC day number."""
        rows = self._read(
            "SELECT campaign, COUNT(*) FROM impressions WHERE visitor = ? AND day = ? "
            "GROUP BY campaign",
            (visitor, day),
        )
        return {int(c): int(n) for c, n in rows}

    def campaign_counts(self) -> dict[int, tuple[int, int]]:
        """(impressions, clicks) per campaign over its whole life."""
        rows = self._read(
            "SELECT campaign, SUM(impressions), SUM(clicks) FROM spend GROUP BY campaign"
        )
        return {int(c): (int(i), int(k)) for c, i, k in rows}

    def product_counts(self, products: Sequence[str]) -> dict[tuple[int, str], tuple[int, int]]:
        """(impressions, clicks) per (campaign, product) for these products."""
        out: dict[tuple[int, str], tuple[int, int]] = {}
        for start in range(0, len(products), IN_CHUNK):
            part = list(products[start : start + IN_CHUNK])
            marks = ",".join("?" * len(part))
            rows = self._read(
                "SELECT campaign, product, impressions, clicks FROM product_counts "
                f"WHERE product IN ({marks})",
                part,
            )
            out.update({(int(c), str(p)): (int(i), int(k)) for c, p, i, k in rows})
        return out

    def totals(self, campaign_id: int) -> tuple[int, int, float]:
        """(impressions, clicks, spend) of one campaign over its whole life."""
        row = self._read(
            "SELECT COALESCE(SUM(impressions), 0), COALESCE(SUM(clicks), 0), "
            "COALESCE(SUM(spend), 0) FROM spend WHERE campaign = ?",
            (campaign_id,),
        )[0]
        return int(row[0]), int(row[1]), int(row[2]) / MICROS

    def clicks(self, campaign_id: int) -> list[AdClick]:
        """Every click on the campaign's ads, oldest first."""
        rows = self._read(
            "SELECT visitor, product, clicked_ts FROM impressions "
            "WHERE campaign = ? AND clicked_ts IS NOT NULL ORDER BY clicked_ts",
            (campaign_id,),
        )
        return [AdClick(v, str(p), float(t)) for v, p, t in rows]

    def impression(self, token: str) -> Impression:
        """One ledger row by token; raises NotFound."""
        rows = self._read(
            "SELECT token, campaign, visitor, product, placement, query, slot, pctr, quality, "
            "price, ts FROM impressions WHERE token = ?",
            (token,),
        )
        if not rows:
            raise NotFound(f"no ad impression has the token {token!r}")
        names = [f.name for f in fields(Impression)]
        return Impression(
            **{**dict(zip(names, rows[0], strict=True)), "price": rows[0][9] / MICROS}
        )


def _campaign(cid: int, status: str, created: float, body: str) -> Campaign:
    fields: dict[str, Any] = json.loads(body)
    return Campaign.model_validate(
        {**fields, "id": cid, "status": status, "created": datetime.fromtimestamp(created, UTC)}
    )
