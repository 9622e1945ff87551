"""Routes of shop analytics: ``GET /insight/funnels``, ``/insight/cohorts``,
``/insight/searches`` and ``/insight/trends``.

Each answers the report's ``as_dict`` (the same JSON as ``shopmind analyze ... --json``),
computed in the thread pool over the whole event log, which the app keeps between requests
until the store's event count changes (:class:`~shopmind.insight.eventlog.LogCache`).
Search analytics run queries whose result count was not logged against the search engine
serving now.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from shopmind.insight.cohorts import cohorts
from shopmind.insight.eventlog import EventLog, LogCache
from shopmind.insight.funnels import funnels
from shopmind.insight.searches import QueryRunner, engine_runner, search_report
from shopmind.insight.trends import trends
from shopmind.search.live import LiveSearch
from shopmind.serve.deps import StoreDep
from shopmind.serve.schemas import plain_json
from shopmind.store import Store

router = APIRouter(prefix="/insight", tags=["insight"])

Signal = Literal["view", "click", "cart", "purchase"]
_CACHE = threading.Lock()


def _log(request: Request, store: Store) -> EventLog:
    """The store's event log, kept on the app (made at the first analytics request)."""
    with _CACHE:
        cache = getattr(request.app.state, "insight_log", None)
        if not isinstance(cache, LogCache) or cache.store is not store:
            cache = LogCache(store)
            request.app.state.insight_log = cache
    return cache.get()


@router.get("/funnels", response_class=JSONResponse)
async def funnels_route(request: Request, store: StoreDep) -> JSONResponse:
    """View → click → cart → purchase per session × product pair: ``overall``,
    ``sessions``, ``by_category``, ``by_source``, ``by_device`` (``units`` per step,
    step-to-step ``rates``, ``conversion``)."""

    def run() -> dict[str, Any]:
        return funnels(_log(request, store), store.all_products()).as_dict()

    return plain_json(await run_in_threadpool(run))


@router.get("/cohorts", response_class=JSONResponse)
async def cohorts_route(
    request: Request,
    store: StoreDep,
    period: Annotated[Literal["week", "month"], Query(description="week or month")] = "month",
) -> JSONResponse:
    """Retention by first-purchase cohort: per cohort its ``size`` and ``retention`` (the
    share buying again 1, 2, ... periods later; null where not seen yet)."""

    def run() -> dict[str, Any]:
        return cohorts(_log(request, store), period).as_dict()

    return plain_json(await run_in_threadpool(run))


def _runner(request: Request) -> QueryRunner | None:
    live = getattr(request.app.state, "search", None)
    return None if live is None else engine_runner(cast(LiveSearch, live).engine)


@router.get("/searches", response_class=JSONResponse)
async def searches_route(
    request: Request,
    store: StoreDep,
    top: Annotated[int, Query(ge=1, le=1_000, description="Queries per list")] = 20,
    many: Annotated[int, Query(ge=1, description="Results that make a clickless query")] = 10,
) -> JSONResponse:
    """``top`` queries, ``zero_results`` and ``no_clicks`` queries each with its ``fix``,
    and ``rising`` queries."""
    runner = _runner(request)

    def run() -> dict[str, Any]:
        log = _log(request, store)
        return search_report(log, store.all_products(), runner, top=top, many=many).as_dict()

    return plain_json(await run_in_threadpool(run))


@router.get("/trends", response_class=JSONResponse)
async def trends_route(
    request: Request,
    store: StoreDep,
    window: Annotated[int, Query(ge=1, le=365, description="Recent window in days")] = 7,
    baseline: Annotated[int, Query(ge=1, le=3_650, description="Baseline days before")] = 28,
    on: Annotated[list[Signal] | None, Query(description="Events counted (repeatable)")] = None,
    top: Annotated[int, Query(ge=1, le=1_000, description="Items per list")] = 20,
) -> JSONResponse:
    """``rising`` and ``declining`` products, categories and queries (ratio, z, p, q and a
    weekly series each) and the ``seasonality`` of the signal."""
    signal = tuple(on or ("purchase",))

    def run() -> dict[str, Any]:
        log = _log(request, store)
        report = trends(log, store.all_products(), window, baseline, signal, top=top)
        return report.as_dict()

    return plain_json(await run_in_threadpool(run))
