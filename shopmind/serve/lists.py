"""The lists the API serves, computed in one place.

``/search``, ``/recommend``, ``/similar`` and ``/bought-together`` answer from these
functions, and ``/explain`` recomputes one result's reasons with the very same ones, so the
two cannot drift: the same engines, filters and ranker stage (``serve.deps.ranking``).
They return organic results only; the list routes place sponsored products on top
(``serve.sponsor``), ``/explain`` never does (it must not write ad impressions).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any, cast

from fastapi import Request

from shopmind.catalog import Product
from shopmind.config import Settings
from shopmind.errors import InvalidInput, RowError, StoreError, StoreUnavailable
from shopmind.recommend.engine import Filters as PickFilters
from shopmind.recommend.engine import Pick, RecommendEngine
from shopmind.recommend.live import LiveRecommend
from shopmind.search import Filters, SearchEngine
from shopmind.search.live import LiveSearch
from shopmind.serve.deps import Ranking, ranker_on, ranking
from shopmind.store import Store

logger = logging.getLogger(__name__)


def search_engine(request: Request) -> SearchEngine:
    """The search engine serving now; 503 while the server is starting."""
    live = getattr(request.app.state, "search", None)
    if live is None:
        raise StoreError("the search index is not loaded yet (the server is starting)")
    return cast(LiveSearch, live).engine


def recommend_engine(request: Request) -> RecommendEngine:
    """The recommendation engine serving now; 503 while the server is starting."""
    live = getattr(request.app.state, "recommend", None)
    if live is None:
        raise StoreError("recommendations are not loaded yet (the server is starting)")
    return cast(LiveRecommend, live).engine


@dataclass(frozen=True)
class SearchAsk:
    """One search as a list route asks it.

    ``page`` is what the ranker is told the page is (its ``page`` context); by default the
    page that ``offset`` and ``k`` make.
    """

    q: str
    k: int = 10
    offset: int = 0
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    visitor: str | None = None
    page: int | None = None

    @property
    def shown_page(self) -> int:
        """The 1-based page the ranker reads."""
        return self.page if self.page is not None else self.offset // self.k + 1


def search_list(
    request: Request,
    store: Store,
    settings: Settings,
    ask: SearchAsk,
    engine: SearchEngine | None = None,
    trees: bool = True,
) -> tuple[dict[str, Any], Ranking]:
    """The organic ``/search`` answer (``SearchResult.as_dict``, ``trees`` as there) and the
    ranker stage used, from ``engine`` (an experiment's variant) or the serving one.

    Reads the visitor's events when a ranker is on: call it off the event loop then.
    """
    engine = engine if engine is not None else search_engine(request)
    stage = (
        ranking(request, settings, store, ask.visitor, ask.shown_page)
        if ranker_on(request, settings)
        else Ranking()
    )
    result = engine.search(
        ask.q,
        k=ask.k,
        offset=ask.offset,
        filters=ask.filters,
        sort=ask.sort,
        reorder=stage.reorder,
        candidates=settings.rank.candidates,
    )
    return result.as_dict(trees), stage


def visitor_of(user: str | None, session: str | None) -> str | None:
    """The visitor a request names: its ``user``, else its ``session`` as ``~session`` (the
    store's id of an anonymous visitor), else None."""
    return user if user is not None else (f"~{session}" if session is not None else None)


def recommend_filters(
    category: str | None,
    in_stock: bool | None,
    price_min: float | None,
    price_max: float | None,
) -> PickFilters:
    """The filters of a recommendation list; InvalidInput when the price bounds cross."""
    if price_min is not None and price_max is not None and price_min > price_max:
        raise InvalidInput(
            [RowError(1, "price_min", "price_min is above price_max", "swap or fix the bounds")],
            source="recommend request",
        )
    return PickFilters(category, in_stock, price_min, price_max)


def recommend_list(
    request: Request,
    store: Store,
    settings: Settings,
    visitor: str,
    k: int,
    filters: PickFilters,
    engine: RecommendEngine | None = None,
) -> tuple[list[Pick], Ranking]:
    """A visitor's organic recommendations (from their newest events, through the ranker
    when one is on) and the ranker stage used, from ``engine`` (an experiment's variant) or
    the serving one. Reads the store: call it off the event loop."""
    engine = engine if engine is not None else recommend_engine(request)
    try:
        events = store.list_events(
            visitor=visitor, limit=settings.recommend.history, types=engine.history_types
        )
    except StoreUnavailable as err:  # the store's server is away: the shop's favourites
        logger.warning("recommending without %s's history: %s", visitor, err)
        events = []
    stage = ranking(request, settings, store, visitor, 1)
    picks = engine.recommend(events, k, filters, stage.reorder, settings.rank.candidates)
    # what the visitor hid (not interested) or bought is no ad for them either
    stage = replace(stage, exclude=engine.excluded(events))
    return picks, stage


def similar_list(
    request: Request,
    item: str,
    k: int,
    filters: PickFilters,
    engine: RecommendEngine | None = None,
) -> list[Pick]:
    """Products like ``item`` (from ``engine``, an experiment's variant, or the serving
    one); NotFound for an unknown product."""
    return (engine if engine is not None else recommend_engine(request)).similar(item, k, filters)


def bought_together_list(
    request: Request, item: str, k: int, engine: RecommendEngine | None = None
) -> list[Pick]:
    """Products bought with ``item``; NotFound for an unknown product."""
    return (engine if engine is not None else recommend_engine(request)).bought_together(item, k)


def pick_dicts(picks: list[Pick], trees: bool = True) -> list[dict[str, Any]]:
    """The wire form of picks, as ``/recommend``, ``/similar`` and ``/bought-together`` send;
    ``trees=False`` leaves the reasons as nodes for orjson (``SearchResult.as_dict``)."""
    return [
        {
            "id": p.id,
            "title": p.title,
            "score": round(p.score, 6),
            **shown_fields(p.product),
            "reasons": p.reasons.as_dict() if trees else p.reasons,
            "sponsored": False,
        }
        for p in picks
    ]


def shown_fields(product: Product | None) -> dict[str, Any]:
    """What a list shows of a product beside its title: price, category, brand, picture."""
    if product is None:
        return dict.fromkeys(PRODUCT_FIELDS)
    return {name: getattr(product, name) for name in PRODUCT_FIELDS}


PRODUCT_FIELDS = ("price", "currency", "category", "brand", "in_stock", "image_url")
