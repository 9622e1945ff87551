"""Explain route: ``GET /explain``, the reasons tree of one result, recomputed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from shopmind.errors import InvalidInput, RowError
from shopmind.recommend.engine import Filters as PickFilters
from shopmind.search import SORT_ORDERS, Filters
from shopmind.serve.deps import SettingsDep, StoreDep, get_ads
from shopmind.serve.lists import SearchAsk, recommend_filters, visitor_of
from shopmind.serve.reasons import (
    EXPLAIN_KINDS,
    ExplainKind,
    Explanation,
    explain_ad,
    explain_bought_together,
    explain_recommend,
    explain_search,
    explain_similar,
)

router = APIRouter(tags=["explain"])

_PARAMS = {
    "kind", "id", "q", "category", "brand", "price_min", "price_max", "in_stock", "sort",
    "user", "session", "item", "k", "offset", "page",
}  # fmt: skip


def _needs(name: str, kind: str, fix: str) -> InvalidInput:
    return InvalidInput(
        [RowError(1, name, f"explaining a {kind} result needs {name}", fix)],
        source="explain request",
    )


@router.get("/explain")
async def explain(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    kind: Annotated[ExplainKind, Query(description=f"One of {', '.join(EXPLAIN_KINDS)}")],
    product: Annotated[
        str,
        Query(alias="id", min_length=1, description="The product id (for ad: the ad token)"),
    ],
    q: Annotated[str | None, Query(description="The search's query (kind=search)")] = None,
    category: Annotated[str | None, Query(description="The list's category filter")] = None,
    brand: Annotated[list[str] | None, Query(description="The search's brands")] = None,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
    in_stock: bool | None = None,
    sort: Annotated[str, Query(description=f"One of {', '.join(SORT_ORDERS)}")] = "relevance",
    user: Annotated[str | None, Query(description="The visitor's user_id")] = None,
    session: Annotated[str | None, Query(description="An anonymous visitor's session_id")] = None,
    item: Annotated[str | None, Query(description="The product of similar/bought-together")] = None,
    k: Annotated[int, Query(ge=1, le=100, description="How deep to look in the list")] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000, description="The search's offset")] = 0,
    page: Annotated[
        int | None, Query(ge=1, le=10_000, description="The page it was shown on")
    ] = None,
) -> dict[str, Any]:
    """The reasons tree of one result, recomputed the way its list route computes it (the
    same engines, filters and ranker stage; no ads are placed and nothing is written).

    Pass the list's own parameters: ``q`` and the search filters for ``search``;
    ``user`` or ``session`` for ``search`` and ``recommend``; ``item`` for ``similar`` and
    ``bought-together``; for ``ad``, ``id`` is the ``ad`` token of a sponsored result. 404
    when the product is no longer among the first ``k`` results (``offset + k`` for a
    search). A search's ``page`` (what the ranker reads) is ``offset // k + 1`` unless
    given: pass the list's own ``k`` and ``offset``, or ``page``.
    """
    unknown = sorted(set(request.query_params) - _PARAMS)
    if unknown:
        raise InvalidInput(
            [
                RowError(
                    1, name, "unknown explain parameter", f"use only: {', '.join(sorted(_PARAMS))}"
                )
                for name in unknown
            ],
            source="explain request",
        )
    visitor = visitor_of(user, session)

    def run() -> Explanation:
        if kind == "search":
            if q is None:
                raise _needs("q", kind, "give q=QUERY, the query of the search it came from")
            filters = Filters(category, tuple(brand or ()), price_min, price_max, in_stock)
            shown = page if page is not None else offset // k + 1
            ask = SearchAsk(q, offset + k, 0, filters, sort, visitor, shown)
            return explain_search(request, store, settings, ask, product)
        if kind == "recommend":
            if visitor is None:
                raise _needs("user", kind, "give user=USER_ID or session=SESSION_ID")
            picks = recommend_filters(category, in_stock, price_min, price_max)
            return explain_recommend(request, store, settings, visitor, product, k, picks)
        if kind == "ad":
            return explain_ad(get_ads(request), store, product)
        if item is None:
            raise _needs("item", kind, f"give item=PRODUCT_ID, the product of /{kind}")
        if kind == "similar":
            return explain_similar(request, item, product, k, PickFilters(in_stock=in_stock))
        return explain_bought_together(request, item, product, k)

    return (await run_in_threadpool(run)).as_dict()
