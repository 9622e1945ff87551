"""Search route: ``GET /search`` with filters, facets, sorting, paging and reasons."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from shopmind.errors import InvalidInput, RowError
from shopmind.experiments.assign import Running
from shopmind.search import SORT_ORDERS, Filters
from shopmind.search.engine import SearchEngine
from shopmind.serve.arms import (
    Arms,
    answered,
    arms_for,
    interleave_items,
    search_engine_for,
    variant_arms,
)
from shopmind.serve.compute import in_search_slot
from shopmind.serve.deps import (
    Ranking,
    SettingsDep,
    StoreDep,
    get_settings,
    get_store,
    ranker_on,
)
from shopmind.serve.lists import SearchAsk, search_engine, search_list, visitor_of
from shopmind.serve.query import QueryModel
from shopmind.serve.schemas import plain_json
from shopmind.serve.sponsor import ads_live, with_ads

router = APIRouter(tags=["search"])


class SearchQuery(QueryModel):
    """``GET /search``'s parameters."""

    q: Annotated[str, Field(description="What the shopper typed (1-500 characters)")]
    k: Annotated[int, Field(ge=1, le=100)] = 10
    offset: Annotated[int, Field(ge=0, le=10_000)] = 0
    category: Annotated[str | None, Field(description="A category and its subtree")] = None
    brand: Annotated[list[str] | None, Field(description="Repeat for several brands")] = None
    price_min: Annotated[float | None, Field(ge=0)] = None
    price_max: Annotated[float | None, Field(ge=0)] = None
    in_stock: bool | None = None
    sort: Annotated[str, Field(description=f"One of {', '.join(SORT_ORDERS)}")] = "relevance"
    user: Annotated[str | None, Field(description="The visitor's user_id (for ranking)")] = None
    session: Annotated[str | None, Field(description="An anonymous visitor's session_id")] = None
    device: Annotated[str | None, Field(description="The shopper's device, for the ranker")] = None


@router.get("/search", response_class=JSONResponse, openapi_extra=SearchQuery.openapi())
async def search(request: Request) -> JSONResponse:
    """Products for a query, best first, each with a reasons tree; facet counts over all.

    Lexical-only engines answer on the event loop (measured: the thread pool's hand-off cost
    them half their rate); hybrid ones in a worker thread, where the encoder and the vector
    product release the GIL, ``serve.search_threads`` at a time (:mod:`shopmind.serve.compute`).
    With a trained ranker (``rank.enabled``), the top ``rank.candidates`` by relevance are
    re-ordered for the visitor (``user`` or ``session``) and each hit gains a ranker branch;
    with live campaigns (``ads.enabled``), sponsored products that pass the filters take the
    ``ads.search_slots`` of the first page of a relevance order (``"sponsored": true``).

    Every answer has a ``request_id`` and every hit its ``position`` (1-based, over the
    whole result) and ``propensity`` (the chance the serving policy put it there); post
    impressions, clicks, carts and purchases with the ``request_id`` to attribute them. A
    visitor in a running experiment gets their variant's answer (``experiments`` names
    it); in an interleaving experiment the first page is drafted from every variant's and
    each hit names its ``team``.
    """
    asked = SearchQuery.of(request)
    unknown = sorted(set(request.query_params) - set(SearchQuery.model_fields))
    if unknown:
        raise InvalidInput(
            [
                RowError(
                    1,
                    name,
                    "unknown search parameter",
                    f"use only: {', '.join(sorted(SearchQuery.model_fields))}",
                )
                for name in unknown
            ],
            source="search request",
        )
    store, settings = get_store(request), get_settings(request)
    filters = Filters(
        category=asked.category,
        brands=tuple(asked.brand or ()),
        price_min=asked.price_min,
        price_max=asked.price_max,
        in_stock=asked.in_stock,
    )
    started = time.perf_counter()
    engine = search_engine(request)
    visitor = visitor_of(asked.user, asked.session)
    ask = SearchAsk(asked.q, asked.k, asked.offset, filters, asked.sort, visitor)
    first_page = ask.offset == 0 and ask.sort == "relevance"
    arms = arms_for(request, settings, visitor, "/search")
    live = arms.settings
    ranked = ranker_on(request, live)
    interleave = arms.interleave if first_page else None

    # ads go on the first page of a relevance order, and must pass the page's filters
    ads = first_page and ads_live(request, live.ads.enabled)

    def run() -> dict[str, Any]:
        if interleave is not None:
            result, stage = _interleaved(request, store, settings, ask, engine, arms, interleave)
        else:
            variant = search_engine_for(request, engine, arms)
            # the trees stay nodes: orjson writes them as they are
            result, stage = search_list(request, store, live, ask, variant, trees=False)
        if ads:
            result["hits"] = with_ads(
                request,
                store,
                "search",
                result["hits"],
                visitor,
                ask.q,
                stage.pctr,
                filters.matches,
            )
        head = answered(
            request, live, "/search", visitor, ask.q, arms, result["hits"], started,
            result.get("total"), ask.offset,
        )  # fmt: skip
        return {**head, **result}

    # lexical-only and without a ranker, ads or interleaving, the request never leaves the
    # event loop
    fast = engine.dense is None and not ranked and not ads and interleave is None
    return plain_json(run() if fast else await in_search_slot(request, run))


def _interleaved(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    ask: SearchAsk,
    engine: SearchEngine,
    arms: Arms,
    running: Running,
) -> tuple[dict[str, Any], Ranking]:
    """One page drafted from every variant's page (team draft); each hit names its team."""
    answers = [
        search_list(
            request, store, a.settings, ask, search_engine_for(request, engine, a), trees=False
        )
        for a in variant_arms(request, settings, arms, running)
    ]
    result, stage = answers[0]
    hits = interleave_items(running, [r["hits"] for r, _ in answers], ask.k)
    return {**result, "hits": hits}, stage
