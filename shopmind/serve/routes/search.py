"""Search route: ``GET /search`` with filters, facets, sorting, paging and reasons."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from shopmind.errors import InvalidInput, RowError, StoreError
from shopmind.search import SORT_ORDERS, Filters, SearchEngine
from shopmind.search.live import LiveSearch

router = APIRouter(tags=["search"])

_PARAMS = {"q", "k", "offset", "category", "brand", "price_min", "price_max", "in_stock", "sort"}


def _engine(request: Request) -> SearchEngine:
    live = getattr(request.app.state, "search", None)
    if live is None:
        raise StoreError("the search index is not loaded yet (the server is starting)")
    return cast(LiveSearch, live).engine


@router.get("/search")
async def search(
    request: Request,
    q: Annotated[str, Query(description="What the shopper typed (1-500 characters)")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    category: Annotated[str | None, Query(description="A category and its subtree")] = None,
    brand: Annotated[list[str] | None, Query(description="Repeat for several brands")] = None,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    in_stock: bool | None = None,
    sort: Annotated[str, Query(description=f"One of {', '.join(SORT_ORDERS)}")] = "relevance",
) -> dict[str, Any]:
    """Products for a query, best first, each with a reasons tree; facet counts over all.

    Lexical-only engines answer on the event loop (measured: the thread pool's hand-off cost
    them half their rate); hybrid ones in the thread pool, where the encoder and the vector
    product release the GIL and two queries share the cores (51 -> 61 queries/s here).
    """
    unknown = sorted(set(request.query_params) - _PARAMS)
    if unknown:
        raise InvalidInput(
            [
                RowError(
                    1,
                    name,
                    "unknown search parameter",
                    f"use only: {', '.join(sorted(_PARAMS))}",
                )
                for name in unknown
            ],
            source="search request",
        )
    filters = Filters(
        category=category,
        brands=tuple(brand or ()),
        price_min=price_min,
        price_max=price_max,
        in_stock=in_stock,
    )
    engine = _engine(request)
    run = partial(engine.search, q, k=k, offset=offset, filters=filters, sort=sort)
    result = run() if engine.dense is None else await run_in_threadpool(run)
    return result.as_dict()
