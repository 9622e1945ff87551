"""Recommendation routes: ``/recommend``, ``/similar`` and ``/bought-together``."""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from shopmind.errors import InvalidInput, RowError, StoreError
from shopmind.recommend.engine import Filters, Pick, RecommendEngine
from shopmind.recommend.live import LiveRecommend
from shopmind.serve.deps import SettingsDep, StoreDep, ranking
from shopmind.serve.sponsor import with_ads

router = APIRouter(tags=["recommend"])

K = Annotated[int, Query(ge=1, le=100, description="How many products (1-100)")]


def _engine(request: Request) -> RecommendEngine:
    live = getattr(request.app.state, "recommend", None)
    if live is None:
        raise StoreError("recommendations are not loaded yet (the server is starting)")
    return cast(LiveRecommend, live).engine


def _list(picks: list[Pick]) -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "title": p.title,
            "score": round(p.score, 6),
            "reasons": p.reasons.as_dict(),
            "sponsored": False,
        }
        for p in picks
    ]


def _items(picks: list[Pick]) -> dict[str, Any]:
    return {"items": _list(picks)}


@router.get("/recommend")
async def recommend(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: Annotated[str | None, Query(description="The visitor's user_id")] = None,
    session: Annotated[str | None, Query(description="An anonymous visitor's session_id")] = None,
    k: K = 10,
    category: Annotated[str | None, Query(description="A category and its subtree")] = None,
    in_stock: bool | None = None,
    price_min: Annotated[float | None, Query(ge=0)] = None,
    price_max: Annotated[float | None, Query(ge=0)] = None,
) -> dict[str, Any]:
    """Products for one visitor, from their newest events (an unknown visitor gets what is
    trending); each with a reasons tree naming the visitor's products it follows from. With
    a trained ranker the candidates are re-ordered for the visitor (a ranker branch joins
    the reasons); sponsored products take the ``ads.recommend_slots``."""
    if user is None and session is None:
        raise InvalidInput(
            [RowError(1, "user", "no visitor given", "give user=USER_ID or session=SESSION_ID")],
            source="recommend request",
        )
    if price_min is not None and price_max is not None and price_min > price_max:
        raise InvalidInput(
            [RowError(1, "price_min", "price_min is above price_max", "swap or fix the bounds")],
            source="recommend request",
        )
    engine = _engine(request)
    visitor = user if user is not None else f"~{session}"
    filters = Filters(category, in_stock, price_min, price_max)

    def run() -> dict[str, Any]:
        events = store.list_events(visitor=visitor, limit=settings.recommend.history)
        stage = ranking(request, settings, store, visitor, 1)
        picks = engine.recommend(events, k, filters, stage.reorder, settings.rank.candidates)
        items = _list(picks)
        if settings.ads.enabled:
            items = with_ads(
                request, store, "recommend", items, visitor, None, stage.pctr, filters.matches
            )
        return {"items": items}

    return await run_in_threadpool(run)


@router.get("/similar")
async def similar(
    request: Request,
    item: Annotated[str, Query(description="A product id")],
    k: K = 10,
    in_stock: bool | None = None,
) -> dict[str, Any]:
    """Products like ``item`` (co-behaviour and text); 404 for an unknown product."""
    engine = _engine(request)
    picks = await run_in_threadpool(engine.similar, item, k, Filters(in_stock=in_stock))
    return _items(picks)


@router.get("/bought-together")
async def bought_together(
    request: Request, item: Annotated[str, Query(description="A product id")], k: K = 10
) -> dict[str, Any]:
    """Products carted or bought with ``item`` in the same visit (text neighbours for new
    products); 404 for an unknown product."""
    engine = _engine(request)
    return _items(await run_in_threadpool(engine.bought_together, item, k))
