"""Recommendation routes: ``/recommend``, ``/similar`` and ``/bought-together``."""

from __future__ import annotations

import threading
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from shopmind.errors import InvalidInput, RowError
from shopmind.insight.trending import TrendingProducts
from shopmind.recommend.engine import Filters, Pick
from shopmind.serve.arms import (
    Arms,
    answered,
    arms_for,
    interleave_items,
    recommend_engine_for,
    variant_arms,
)
from shopmind.serve.deps import Ranking, get_settings, get_store
from shopmind.serve.explore import candidates, explored
from shopmind.serve.lists import (
    bought_together_list,
    pick_dicts,
    recommend_engine,
    recommend_filters,
    recommend_list,
    similar_list,
    visitor_of,
)
from shopmind.serve.query import QueryModel
from shopmind.serve.schemas import plain_json
from shopmind.serve.sponsor import ads_live, with_ads
from shopmind.store import Store

router = APIRouter(tags=["recommend"])

_TRENDING = threading.Lock()


def _trending(request: Request, store: Store) -> TrendingProducts:
    """The app's trending list, made at its first use (it reads the whole event log)."""
    with _TRENDING:
        found = getattr(request.app.state, "trending", None)
        if not isinstance(found, TrendingProducts) or found.store is not store:
            found = TrendingProducts(store)
            request.app.state.trending = found
        return found


def _items(
    request: Request,
    route: str,
    picks: list[Pick],
    started: float,
    item: str | None = None,
    visitor: str | None = None,
    arms: Arms | None = None,
) -> JSONResponse:
    settings = request.app.state.settings
    arms = arms if arms is not None else Arms(settings)
    items = pick_dicts(picks, trees=False)  # orjson writes the nodes as they are
    head = answered(request, arms.settings, route, visitor, item, arms, items, started)
    return plain_json({**head, "items": items})


K = Annotated[int, Field(ge=1, le=100, description="How many products (1-100)")]
Visitor = Annotated[str | None, Field(description="The visitor's user_id (experiments)")]
Session = Annotated[str | None, Field(description="An anonymous visitor's session_id")]


class RecommendQuery(QueryModel):
    """``GET /recommend``'s parameters."""

    user: Annotated[str | None, Field(description="The visitor's user_id")] = None
    session: Session = None
    k: K = 10
    category: Annotated[str | None, Field(description="A category and its subtree")] = None
    in_stock: bool | None = None
    price_min: Annotated[float | None, Field(ge=0)] = None
    price_max: Annotated[float | None, Field(ge=0)] = None
    device: Annotated[str | None, Field(description="The shopper's device, for the ranker")] = None
    kind: Annotated[
        Literal["visitor", "trending"],
        Field(description="visitor: for this visitor; trending: significantly rising products"),
    ] = "visitor"


class ItemQuery(QueryModel):
    """``GET /bought-together``'s parameters (and ``/similar``'s, with ``in_stock``)."""

    item: Annotated[str, Field(description="A product id")]
    k: K = 10
    user: Visitor = None
    session: Session = None


class SimilarQuery(ItemQuery):
    """``GET /similar``'s parameters."""

    in_stock: bool | None = None


@router.get("/recommend", response_class=JSONResponse, openapi_extra=RecommendQuery.openapi())
async def recommend(request: Request) -> JSONResponse:
    """Products for one visitor, from their newest events (an unknown visitor gets what is
    trending); each with a reasons tree naming the visitor's products it follows from. With
    a trained ranker the candidates are re-ordered for the visitor (a ranker branch joins
    the reasons); sponsored products take the ``ads.recommend_slots``.

    ``kind=trending`` needs no visitor: the products whose activity rose significantly
    against their own baseline, strongest first (``trending: +X% vs its baseline``; only
    significant risers, so possibly fewer than ``k``), no ads."""
    asked = RecommendQuery.of(request)
    store, settings = get_store(request), get_settings(request)
    user, session, k = asked.user, asked.session, asked.k
    filters = recommend_filters(asked.category, asked.in_stock, asked.price_min, asked.price_max)
    if asked.kind == "trending":
        trending = _trending(request, store)
        picks = await run_in_threadpool(trending.picks, k, filters)
        return _items(
            request, "/recommend", picks, time.perf_counter(), None, visitor_of(user, session)
        )
    if user is None and session is None:
        raise InvalidInput(
            [RowError(1, "user", "no visitor given", "give user=USER_ID or session=SESSION_ID")],
            source="recommend request",
        )
    started = time.perf_counter()
    engine = recommend_engine(request)  # 503 before the models are loaded
    visitor = user if user is not None else f"~{session}"
    arms = arms_for(request, settings, visitor, "/recommend")
    live = arms.settings

    def organic(a: Arms) -> tuple[list[dict[str, Any]], Ranking]:
        variant = recommend_engine_for(request, engine, a)
        wanted = candidates(a.settings, k)
        picks, stage = recommend_list(request, store, a.settings, visitor, wanted, filters, variant)
        return explored(request, a.settings, pick_dicts(picks, trees=False), k), stage

    def run() -> dict[str, Any]:
        if arms.interleave is not None:
            lists = [organic(a) for a in variant_arms(request, settings, arms, arms.interleave)]
            items = interleave_items(arms.interleave, [i for i, _ in lists], k)
            stage = lists[0][1]
        else:
            items, stage = organic(arms)
        if ads_live(request, live.ads.enabled):
            items = with_ads(
                request, store, "recommend", items, visitor, None, stage.pctr, filters.matches,
                stage.exclude,
            )  # fmt: skip
        head = answered(request, live, "/recommend", visitor, None, arms, items, started)
        return {**head, "items": items}

    return plain_json(await run_in_threadpool(run))


@router.get("/similar", response_class=JSONResponse, openapi_extra=SimilarQuery.openapi())
async def similar(request: Request) -> JSONResponse:
    """Products like ``item`` (co-behaviour and text); 404 for an unknown product. The
    visitor, when given, places the answer in the experiments of ``/similar``."""
    asked = SimilarQuery.of(request)
    started = time.perf_counter()
    engine = recommend_engine(request)  # 503 before the models are loaded
    visitor = visitor_of(asked.user, asked.session)
    arms = arms_for(request, get_settings(request), visitor, "/similar")
    variant = recommend_engine_for(request, engine, arms)
    wanted = Filters(in_stock=asked.in_stock)
    picks = await run_in_threadpool(similar_list, request, asked.item, asked.k, wanted, variant)
    return _items(request, "/similar", picks, started, asked.item, visitor, arms)


@router.get("/bought-together", response_class=JSONResponse, openapi_extra=ItemQuery.openapi())
async def bought_together(request: Request) -> JSONResponse:
    """Products carted or bought with ``item`` in the same visit (text neighbours for new
    products); 404 for an unknown product. The visitor, when given, places the answer in
    the experiments of ``/bought-together``."""
    asked = ItemQuery.of(request)
    started = time.perf_counter()
    engine = recommend_engine(request)  # 503 before the models are loaded
    visitor = visitor_of(asked.user, asked.session)
    arms = arms_for(request, get_settings(request), visitor, "/bought-together")
    variant = recommend_engine_for(request, engine, arms)
    # a fifth of a millisecond (one row of the basket matrix): on the event loop, since the
    # hand-off to a worker thread and back cost more than the call
    picks = bought_together_list(request, asked.item, asked.k, variant)
    return _items(request, "/bought-together", picks, started, asked.item, visitor, arms)
