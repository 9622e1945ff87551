"""A visitor's interest profile: where their events fall in the catalog, and their timeline.

- Shares by category (top levels and leaves) and by brand count the visitor's *interest*
  events (the types given, e.g. those ``events.weights`` weighs above 0: views, clicks,
  carts, purchases...) about known products; impressions and searches say nothing of taste.
  Each share map sums to 1 over the events that have that field.
- The price band places each distinct product of those events against the price tertiles
  of its leaf category in the whole catalog: ``cheap`` up to the first tertile, ``mid`` up
  to the second, ``premium`` above; the visitor's median price per leaf category is placed
  the same way.
- The timeline is the newest events of any type.

Example::

    profile = visitor_profile("u1", store.list_events(visitor="u1", limit=10_000),
                              products, price_tertiles(store.all_products()), {"view", "cart"})
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from shopmind.catalog import Product
from shopmind.events.models import StoredEvent, iso_utc

BANDS: tuple[str, ...] = ("cheap", "mid", "premium")
Tertiles = Mapping[str, tuple[float, float]]


def price_tertiles(products: Iterable[Product]) -> dict[str, tuple[float, float]]:
    """Per leaf category path: the 1/3 and 2/3 quantiles of its products' prices."""
    prices: dict[str, list[float]] = {}
    for p in products:
        if p.price is not None and p.category:
            prices.setdefault(p.category, []).append(p.price)
    out: dict[str, tuple[float, float]] = {}
    for category, values in prices.items():
        low, high = np.quantile(np.asarray(values), [1 / 3, 2 / 3])
        out[category] = (float(low), float(high))
    return out


def price_band(price: float, tertiles: tuple[float, float]) -> str:
    """``cheap``, ``mid`` or ``premium`` for a price against its category's tertiles."""
    low, high = tertiles
    if price <= low:
        return "cheap"
    return "mid" if price <= high else "premium"


def _shares(counts: Counter[str]) -> dict[str, float]:
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {name: n / total for name, n in ordered} if total else {}


def _price(products: Sequence[Product], tertiles: Tertiles) -> dict[str, Any]:
    """The price block: median, band counts over products, and per leaf category."""
    priced = [p for p in products if p.price is not None]
    bands: Counter[str] = Counter(dict.fromkeys(BANDS, 0))
    by_leaf: dict[str, list[float]] = {}
    for p in priced:
        if p.price is not None and p.category and p.category in tertiles:
            bands[price_band(p.price, tertiles[p.category])] += 1
            by_leaf.setdefault(p.category, []).append(p.price)
    categories = {}
    for leaf, values in sorted(by_leaf.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        median = float(np.median(values))
        categories[leaf] = {
            "products": len(values),
            "median": round(median, 2),
            "band": price_band(median, tertiles[leaf]),
            "tertiles": [round(t, 2) for t in tertiles[leaf]],
        }
    values = [p.price for p in priced if p.price is not None]
    return {
        "median": round(float(np.median(values)), 2) if values else None,
        "bands": {band: bands[band] for band in BANDS},
        "categories": categories,
    }


def visitor_profile(
    visitor: str,
    events: Sequence[StoredEvent],
    products: Mapping[str, Product],
    tertiles: Tertiles,
    interest: Iterable[str],
    timeline: int = 50,
) -> dict[str, Any]:
    """A visitor's interest profile (see the module docstring) as JSON.

    Args:
        visitor: the visitor key (``~SESSION`` for an anonymous visitor).
        events: their events, newest first (as ``Store.list_events`` returns them).
        products: the products the events name, by id (unknown ids are left out).
        tertiles: :func:`price_tertiles` of the catalog.
        interest: the event types that show interest.
        timeline: how many of the newest events the timeline holds.
    """
    wanted = set(interest)
    liked = [
        products[e.item_id]
        for e in events
        if e.type in wanted and e.item_id is not None and e.item_id in products
    ]
    top: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    brand: Counter[str] = Counter()
    for p in liked:
        if p.category:
            top[p.category.split(" > ")[0]] += 1
            leaf[p.category] += 1
        if p.brand:
            brand[p.brand] += 1
    distinct = list({p.id: p for p in liked}.values())
    times = [e.ts for e in events if e.ts is not None]
    return {
        "visitor": visitor,
        "anonymous": visitor.startswith("~"),
        "events": len(events),
        "interest_events": len(liked),
        "first_seen": iso_utc(min(times)) if times else None,
        "last_seen": iso_utc(max(times)) if times else None,
        "event_types": dict(Counter(e.type for e in events).most_common()),
        "categories": {"top": _shares(top), "leaf": _shares(leaf)},
        "brands": _shares(brand),
        "price": _price(distinct, tertiles),
        "timeline": [_moment(e, products) for e in events[:timeline]],
    }


def _moment(event: StoredEvent, products: Mapping[str, Product]) -> dict[str, Any]:
    product = products.get(event.item_id) if event.item_id is not None else None
    return {
        "ts": iso_utc(event.ts),
        "type": event.type,
        "item": None
        if event.item_id is None
        else {"id": event.item_id, "title": product.title if product is not None else None},
        "query": event.query,
        "position": event.position,
    }
