"""A campaign's report: impressions, clicks, spend, and the purchases its clicks led to.

Attribution is last-click inside a window: a purchase of an advertised product by a visitor
who clicked that product's ad at most ``attribution_hours`` earlier is one conversion of the
campaign (each purchase event counts once, however many clicks preceded it). Revenue is the
purchase's ``value`` read as the price paid, or as a quantity times the product's price
(``ads.purchase_value``); a purchase without a value is worth the product's price.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from shopmind.ads.book import CampaignBook
from shopmind.ads.records import AdClick
from shopmind.events.models import StoredEvent
from shopmind.store import Store

VISITOR_EVENTS = 10_000  # newest events read per clicking visitor


@dataclass(frozen=True)
class CampaignReport:
    """What a campaign got for its money over its whole life."""

    campaign: int
    impressions: int
    clicks: int
    ctr: float
    spend: float
    conversions: int
    revenue: float
    roas: float | None  # revenue / spend; None before anything was spent

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``GET /campaigns/{id}/report``."""
        return {
            "campaign": self.campaign,
            "impressions": self.impressions,
            "clicks": self.clicks,
            "ctr": round(self.ctr, 6),
            "spend": round(self.spend, 6),
            "conversions": self.conversions,
            "revenue": round(self.revenue, 6),
            "roas": None if self.roas is None else round(self.roas, 6),
        }


def campaign_report(
    book: CampaignBook,
    store: Store,
    campaign_id: int,
    attribution_hours: float = 24.0,
    purchase_value: Literal["price_paid", "quantity"] = "price_paid",
) -> CampaignReport:
    """Report one campaign (raises NotFound for an unknown id).

    Example::

        campaign_report(book, store, 3).as_dict()["roas"]
    """
    book.get_campaign(campaign_id)
    impressions, clicks, spend = book.totals(campaign_id)
    purchases = attributed_purchases(book.clicks(campaign_id), store, attribution_hours * 3600)
    prices = store.get_products(sorted({p.item_id for p in purchases if p.item_id}))
    revenue = 0.0
    for event in purchases:
        product = prices.get(event.item_id or "")
        price = product.price if product is not None and product.price is not None else 0.0
        if event.value is None:
            revenue += price
        elif purchase_value == "quantity":
            revenue += event.value * price
        else:
            revenue += event.value
    return CampaignReport(
        campaign=campaign_id,
        impressions=impressions,
        clicks=clicks,
        ctr=clicks / impressions if impressions else 0.0,
        spend=spend,
        conversions=len(purchases),
        revenue=revenue,
        roas=revenue / spend if spend > 0 else None,
    )


def attributed_purchases(
    clicks: Sequence[AdClick], store: Store, window_seconds: float
) -> list[StoredEvent]:
    """The purchase events that follow an ad click on the same product by the same visitor
    within ``window_seconds``, each once, oldest first."""
    by_visitor: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for c in clicks:
        if c.visitor is not None:  # an anonymous click without a session cannot be followed
            by_visitor[c.visitor][c.product].append(c.ts)
    found: list[StoredEvent] = []
    for visitor in sorted(by_visitor):
        clicked = by_visitor[visitor]
        for event in store.list_events(visitor=visitor, limit=VISITOR_EVENTS):
            if event.type != "purchase" or event.ts is None or event.item_id not in clicked:
                continue
            at = event.ts
            if any(t <= at <= t + window_seconds for t in clicked[event.item_id]):
                found.append(event)
    return sorted(found, key=lambda e: (e.ts or 0.0, e.seq))
