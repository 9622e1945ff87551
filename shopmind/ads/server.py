"""The ad server: which sponsored products go into a search page or a recommendation list.

For one page, :meth:`AdServer.place` keeps the campaigns that are live, want the page
(targeting), may still spend (pacing, one click left today) and have not been shown to this
visitor too often today (frequency cap); of their products those in stock, not already in
the organic list and at least ``quality_floor`` relevant; runs the auction for the page's
slots; writes each winner to the ledger and as an ``ad_impression`` event to the store; and
returns the winners with their tokens and reasons. An ``ad_click`` event carrying the token
is charged through :meth:`AdServer.click`.

The click model and the relevance model are plain callables, so a trained ranker plugs in
with :meth:`AdServer.set_pctr`; until then each ad's smoothed historical CTR is used.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Literal

import numpy as np

from shopmind.ads.auction import AdCandidate, Placement, run_auction
from shopmind.ads.book import CampaignBook
from shopmind.ads.campaigns import Campaign
from shopmind.ads.ctr import HistoricalCtr
from shopmind.ads.hits import SponsoredHit, impression_event, reasons_tree
from shopmind.ads.pacing import Pacer, under_cap
from shopmind.ads.quality import recent_products
from shopmind.ads.records import Impression, utc_day
from shopmind.ads.report import CampaignReport, campaign_report
from shopmind.ads.targeting import Page, match
from shopmind.catalog import Product
from shopmind.config import AdsConfig
from shopmind.store import Store

logger = logging.getLogger(__name__)

PCtr = Callable[[str | None, Sequence[str]], np.ndarray]
"""``(visitor key or None, product ids) -> click probability per product``."""
Quality = Callable[[str | None, str | None, Sequence[str]], np.ndarray]
"""``(query or None, visitor key or None, product ids) -> relevance in [0, 1] per product``."""
AdPlacement = Literal["search", "recommend"]
PAGE_CATEGORIES = 5  # the first organic results, whose categories a search page is targeted by


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


class AdServer:
    """Places sponsored products and charges their clicks.

    Args:
        book: campaigns, the ledger and spend.
        store: the main store (products, and where ``ad_impression`` events go).
        config: the ``ads`` settings.
        quality: relevance of products to a page (e.g. :class:`EngineQuality`).
        pctr: click probability of products; None: each ad's smoothed historical CTR.
        audience: a visitor's segment name, for campaigns that target segments; None: such
            campaigns are shown to no one.

    Example::

        server = AdServer(book, store, settings.ads, EngineQuality(lambda: engine, store))
        hits = server.place(placement="search", visitor="u1", query="earbuds",
                            organic=[h.product.id for h in result.hits], slots=[1])
    """

    def __init__(
        self,
        book: CampaignBook,
        store: Store,
        config: AdsConfig,
        quality: Quality,
        pctr: PCtr | None = None,
        audience: Callable[[str], str | None] | None = None,
    ) -> None:
        self.book = book
        self.audience = audience
        self.store = store
        self.config = config
        self.quality = quality
        self.historical = HistoricalCtr(book, config.prior_ctr, config.prior_impressions)
        self._pctr = pctr
        self.pacer = Pacer(config.pacing_slack, config.seed)
        self._lock = threading.Lock()

    def set_pctr(self, pctr: PCtr | None) -> None:
        """Use ``pctr`` (e.g. the trained ranker's) from the next auction; None: historical."""
        with self._lock:
            self._pctr = pctr

    @property
    def pctr(self) -> PCtr:
        """The click model in use."""
        with self._lock:
            return self._pctr if self._pctr is not None else self.historical

    def slots_for(self, placement: AdPlacement) -> list[int]:
        """The configured slots of a placement."""
        return self.config.search_slots if placement == "search" else self.config.recommend_slots

    # -- placing ----------------------------------------------------------------------------
    def place(
        self,
        *,
        placement: AdPlacement,
        visitor: str | None,
        query: str | None,
        organic: Sequence[str],
        slots: Sequence[int],
        now: datetime | None = None,
        pctr: PCtr | None = None,
        admit: Callable[[Product], bool] | None = None,
    ) -> list[SponsoredHit]:
        """Run the auction for one page and record its winners (see the module docstring).

        Args:
            placement: ``search`` or ``recommend``.
            visitor: the visitor key (user id, or ``~session``), None when unknown.
            query: the search text (None for recommendations).
            organic: the product ids already on the page, in order.
            slots: 1-based positions the ads may take; the best ad takes the first.
            now: the time of the page (the clock of a simulation); now when None.
            pctr: the click model for this page only (the trained ranker, bound to the
                visitor's events); None: the server's (:meth:`set_pctr`).
            admit: the page's filters (category, price, brand, stock): an ad must pass them.

        Returns:
            The winners, best first, each with its slot, ledger token and reasons.
        """
        if not self.config.enabled or not slots:
            return []
        at = _aware(now)
        ts = at.timestamp()
        day = utc_day(ts)
        live = [c for c in self.book.campaigns("active") if c.live(at)]
        if not live:
            return []
        page = self._page(placement, visitor, query, organic)
        eligible = self._eligible(live, page, visitor, day, at)
        if not eligible:
            return []
        winners, pctr_used = self._auction(
            eligible, visitor, query, organic, len(slots), pctr, admit
        )
        by_id = {c.id: c for c, _ in eligible}
        labels = {c.id: label for c, label in eligible}
        hits: list[SponsoredHit] = []
        impressions: list[Impression] = []
        for won, slot in zip(winners, sorted(slots), strict=False):
            token = uuid.uuid4().hex
            impressions.append(
                Impression(
                    token=token,
                    campaign=won.campaign,
                    visitor=visitor,
                    product=won.product,
                    placement=placement,
                    query=query,
                    slot=slot,
                    pctr=won.pctr,
                    quality=won.quality,
                    price=won.price,
                    ts=ts,
                )
            )
            reasons = reasons_tree(by_id[won.campaign], won, labels[won.campaign], pctr_used)
            hits.append(SponsoredHit(won.product, slot, token, won.campaign, won.price, reasons))
        self.book.record(impressions)
        events = [e for e in map(impression_event, impressions) if e is not None]
        if events:
            self.store.add_events(events)
        return hits

    def _page(
        self,
        placement: AdPlacement,
        visitor: str | None,
        query: str | None,
        organic: Sequence[str],
    ) -> Page:
        """The page as targeting sees it; its categories are read only if a campaign asks."""

        def categories() -> list[str | None]:
            if placement == "search":
                ids = list(organic[:PAGE_CATEGORIES])
            elif visitor:
                ids = recent_products(self.store, visitor, self.config.recent_events)
            else:
                return []
            found = self.store.get_products(ids)
            return [found[i].category for i in ids if i in found]

        def segment() -> str | None:
            return self.audience(visitor) if self.audience is not None and visitor else None

        return Page(query, categories, segment)

    def _eligible(
        self,
        live: Sequence[Campaign],
        page: Page,
        visitor: str | None,
        day: int,
        at: datetime,
    ) -> list[tuple[Campaign, str]]:
        """Campaigns that want the page, may be shown to the visitor and may spend now."""
        spent = self.book.spend_on_day(day)
        cap = self.config.frequency_cap
        shown = self.book.visitor_impressions(visitor, day) if visitor and cap else {}
        out: list[tuple[Campaign, str]] = []
        for campaign in live:
            if not under_cap(shown.get(campaign.id, 0), cap):
                continue
            if not self.pacer.admit(
                campaign.daily_budget, campaign.bid, spent.get(campaign.id, 0), at
            ):
                continue
            label = match(campaign, page)  # last: it may read the page's categories
            if label is not None:
                out.append((campaign, label))
        return out

    def _auction(
        self,
        eligible: Sequence[tuple[Campaign, str]],
        visitor: str | None,
        query: str | None,
        organic: Sequence[str],
        slots: int,
        override: PCtr | None = None,
        admit: Callable[[Product], bool] | None = None,
    ) -> tuple[list[Placement], str]:
        """Score the eligible campaigns' products and run the auction over them."""
        on_page = set(organic)
        wanted = list(dict.fromkeys(p for c, _ in eligible for p in c.products if p not in on_page))
        # relevance first (vector arithmetic), so that only relevant products are read back
        # from the store, for their current stock
        quality = dict(zip(wanted, np.asarray(self.quality(query, visitor, wanted)), strict=True))
        relevant = [p for p in wanted if quality[p] >= self.config.quality_floor]
        products = self.store.get_products(relevant)
        ids = [
            p
            for p in relevant
            if p in products and products[p].in_stock and (admit is None or admit(products[p]))
        ]
        if not ids:
            return [], ""
        model = override if override is not None else self.pctr
        pctr = dict(zip(ids, np.asarray(model(visitor, ids)), strict=True))
        candidates = [
            AdCandidate(c.id, p, c.bid, float(pctr[p]), float(quality[p]))
            for c, _ in eligible
            for p in c.products
            if p in pctr
        ]
        winners = run_auction(
            candidates, slots, self.config.reserve_price, self.config.price_increment
        )
        used = "historical CTR" if model is self.historical else "ranker"
        return winners, used

    # -- clicks and reports -----------------------------------------------------------------
    def click(self, token: str, ts: float | None = None, product: str | None = None) -> float:
        """Charge a click on the ad with ``token``; returns the charge (0 for a repeat)."""
        charge = self.book.click(token, ts, product)
        logger.debug("ad click %s charged %.6f", token, charge)
        return charge

    def report(self, campaign_id: int) -> CampaignReport:
        """A campaign's impressions, clicks, spend, conversions, revenue and ROAS."""
        return campaign_report(
            self.book,
            self.store,
            campaign_id,
            self.config.attribution_hours,
            self.config.purchase_value,
        )
