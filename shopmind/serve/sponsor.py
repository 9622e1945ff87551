"""Sponsored products on a result page: run the ad auction and put its winners in their slots."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import Request

from shopmind.ads import AdServer, PCtr
from shopmind.catalog import Product
from shopmind.errors import StoreUnavailable
from shopmind.serve.lists import shown_fields
from shopmind.store import Store

logger = logging.getLogger(__name__)


def ads_live(request: Request, enabled: bool) -> bool:
    """Whether a list may carry sponsored products now: ads on in its settings, an ad
    server, and a live campaign (checked in memory, the database at most once a second):
    without one, the list skips the auction and its reads, and a lexical search stays on
    the event loop."""
    if not enabled:
        return False
    ads: AdServer | None = getattr(request.app.state, "ads", None)
    if ads is None:
        return False
    try:
        return ads.book.any_live(datetime.now(UTC))
    except StoreUnavailable as err:  # as with_ads: no ledger, no ads
        logger.warning("no sponsored products now: %s", err)
        return False


def with_ads(
    request: Request,
    store: Store,
    placement: Literal["search", "recommend"],
    items: list[dict[str, Any]],
    visitor: str | None,
    query: str | None,
    pctr: PCtr | None,
    admit: Callable[[Product], bool],
    exclude: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """``items`` (organic results, marked ``"sponsored": false``) with the auction's winners
    inserted at the configured slots, marked ``"sponsored": true`` with the auction in their
    reasons. An ad must pass ``admit`` (the page's filters) and not be in ``exclude`` (what
    the visitor hid or bought). Slots past the end of a short list are not offered. Writes
    the ad impressions: call it off the event loop."""
    organic = [{**item, "sponsored": False} for item in items]  # (search hits have it)
    ads: AdServer | None = getattr(request.app.state, "ads", None)
    if ads is None:
        return organic
    try:
        hits = ads.place(
            placement=placement,
            visitor=visitor,
            query=query,
            organic=[*(item["id"] for item in items), *sorted(exclude)],
            slots=[s for s in ads.slots_for(placement) if s <= len(items) + 1],
            pctr=pctr,
            admit=admit,
        )
    except StoreUnavailable as err:  # no ledger to write the impressions in: no ads now
        logger.warning("no sponsored products in this list: %s", err)
        return organic
    if not hits:
        return organic
    products = store.get_products([h.product for h in hits])
    merged = list(organic)
    for hit in sorted(hits, key=lambda h: h.slot):
        product = products.get(hit.product)
        shown = {**hit.as_dict(), "title": product.title if product else None}
        shown.update(shown_fields(product))
        merged.insert(min(hit.slot - 1, len(merged)), shown)
    return merged
