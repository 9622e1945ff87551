"""One result's reasons tree, recomputed the way its list computes it (``GET /explain``).

A search hit, a recommendation, a similar or bought-together product is found again in its
list, computed by the list's own function (``serve.lists``); its tree is the one that list
would send. A sponsored product's tree is rebuilt from its ledger row: recomputing it
would run the auction again and write an impression, which explaining must never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from fastapi import Request

from shopmind.ads import AdServer, ledger_reasons
from shopmind.config import Settings
from shopmind.errors import NotFound
from shopmind.recommend.engine import Filters as PickFilters
from shopmind.serve.lists import (
    SearchAsk,
    bought_together_list,
    pick_dicts,
    recommend_list,
    search_list,
    similar_list,
)
from shopmind.store import Store

ExplainKind = Literal["search", "recommend", "similar", "bought-together", "ad"]
EXPLAIN_KINDS: tuple[str, ...] = get_args(ExplainKind)


@dataclass(frozen=True)
class Explanation:
    """One result: which list it is in, its id, title and 1-based rank there, its tree."""

    kind: str
    id: str
    title: str | None
    rank: int
    tree: dict[str, Any]
    product: str | None = None  # for an ad: the sponsored product (``id`` is the token)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"kind", "id", "title", "rank", "tree"}`` (+ ``product`` for ads)."""
        out = {
            "kind": self.kind,
            "id": self.id,
            "title": self.title,
            "rank": self.rank,
            "tree": self.tree,
        }
        if self.product is not None:
            out["product"] = self.product
        return out


def _find(kind: str, items: list[dict[str, Any]], product: str, missing: str) -> Explanation:
    """The item with id ``product`` in a list's items; NotFound saying ``missing`` else."""
    for rank, item in enumerate(items, start=1):
        if item["id"] == product:
            return Explanation(kind, product, item.get("title"), rank, item["reasons"])
    raise NotFound(missing)


def explain_search(
    request: Request, store: Store, settings: Settings, ask: SearchAsk, product: str
) -> Explanation:
    """A search hit among the first ``ask.k`` hits of the search ``ask`` (ranked for its
    visitor and page, as ``/search`` ranks it). Call it off the event loop."""
    result, _ = search_list(request, store, settings, ask)
    return _find(
        "search",
        result["hits"],
        product,
        f"product {product} is not in the first {ask.k} results of search '{ask.q}' any "
        "more; search again",
    )


def explain_recommend(
    request: Request,
    store: Store,
    settings: Settings,
    visitor: str,
    product: str,
    k: int,
    filters: PickFilters,
) -> Explanation:
    """A recommendation among a visitor's first ``k``; NotFound for a visitor without events
    (their list is what is trending, for anyone). Call it off the event loop."""
    if not store.list_events(visitor=visitor, limit=1):
        raise NotFound(f"no events for visitor {visitor}; pick a visitor from /visitors")
    picks, _ = recommend_list(request, store, settings, visitor, k, filters)
    return _find(
        "recommend",
        pick_dicts(picks),
        product,
        f"product {product} is not in the first {k} recommendations for visitor {visitor} "
        "any more; ask /recommend again",
    )


def explain_similar(
    request: Request, item: str, product: str, k: int, filters: PickFilters
) -> Explanation:
    """A product among the first ``k`` like ``item``; NotFound for an unknown ``item``."""
    return _find(
        "similar",
        pick_dicts(similar_list(request, item, k, filters)),
        product,
        f"product {product} is not in the first {k} products similar to {item} any more; "
        "ask /similar again",
    )


def explain_bought_together(request: Request, item: str, product: str, k: int) -> Explanation:
    """A product among the first ``k`` bought with ``item``; NotFound for an unknown ``item``."""
    return _find(
        "bought-together",
        pick_dicts(bought_together_list(request, item, k)),
        product,
        f"product {product} is not in the first {k} products bought together with {item} "
        "any more; ask /bought-together again",
    )


def explain_ad(ads: AdServer, store: Store, token: str) -> Explanation:
    """A shown ad's ``sponsored`` tree, from its ledger row and its campaign's bid.

    Its rank is the slot it was shown in; the auction rank in the tree is that slot's place
    among the placement's configured ad slots (the slot itself when they changed since).
    """
    try:
        shown = ads.book.impression(token)
    except NotFound:
        raise NotFound(
            f'no ad impression has the token {token!r}; take the token from the "ad" field '
            "of a sponsored hit or item"
        ) from None
    campaign = ads.book.get_campaign(shown.campaign)
    slots = sorted(ads.slots_for(shown.placement))
    rank = slots.index(shown.slot) + 1 if shown.slot in slots else shown.slot
    tree = ledger_reasons(campaign, shown, rank)
    product = store.get_products([shown.product]).get(shown.product)
    title = product.title if product is not None else None
    return Explanation("ad", token, title, shown.slot, tree.as_dict(), shown.product)
