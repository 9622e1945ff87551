"""``create_app(settings)``: the HTTP API, built fresh for each settings object.

Domain errors from the core become HTTP codes here and nowhere else: NotFound → 404,
Conflict → 409, TooLarge → 413, InvalidInput and request validation → 422 (with the same
row / field / fix items the CLI prints), StoreError → 503.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from shopmind import __version__
from shopmind.ads import AdServer, CampaignBook, EngineQuality
from shopmind.assistant import LiveAssistant
from shopmind.build import (
    BuildFollower,
    current_build,
    follow,
    open_ranker,
    open_recommend,
    open_search,
    ranker_path,
)
from shopmind.catalog import FIELD_FIXES as PRODUCT_FIXES
from shopmind.config import LOG_FORMAT, Settings, load
from shopmind.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RowError,
    ShopmindError,
    StoreError,
    StoreUnavailable,
    TooLarge,
)
from shopmind.events import FIELD_FIXES as EVENT_FIXES
from shopmind.experiments.book import ExperimentBook
from shopmind.insight.segments import segment_reader
from shopmind.rank import Ranker
from shopmind.rank.live import LiveRanker
from shopmind.recommend.engine import RecommendEngine
from shopmind.recommend.live import LiveRecommend
from shopmind.search import SearchEngine
from shopmind.search.live import LiveSearch
from shopmind.security.keys import keys_path
from shopmind.serve.auth import KeyCheck
from shopmind.serve.compute import open_slots
from shopmind.serve.heap import HeapKeeper
from shopmind.serve.limits import BodySizeLimit
from shopmind.serve.openapi import install as document_errors
from shopmind.serve.routes import (
    analytics,
    assistant,
    campaigns,
    catalog,
    evaluations,
    events,
    experiments,
    explain,
    forecast,
    health,
    keys,
    profiles,
    recommend,
    search,
    shopmap,
    visitors,
    web,
)
from shopmind.serve.routes.assistant import ASSISTANT_FIXES
from shopmind.store import open_store
from shopmind.validate import request_row_errors
from shopmind.web import STATIC_DIR

logger = logging.getLogger(__name__)

_STATUS: list[tuple[type[ShopmindError], int, str]] = [
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (TooLarge, 413, "payload_too_large"),
    (InvalidInput, 422, "invalid_input"),
    (StoreError, 503, "store_unavailable"),
]


def _error(status: int, code: str, message: str, rows: list[RowError]) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": code, "message": message, "errors": [r.as_dict() for r in rows]},
    )


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    for kind, status, code in _STATUS:
        if isinstance(exc, kind):
            rows = exc.errors if isinstance(exc, InvalidInput) else []
            response = _error(status, code, str(exc), rows)
            if isinstance(exc, StoreUnavailable):  # the store's server is away: come back
                response.headers["Retry-After"] = str(exc.retry_after_s)
            return response
    return _error(400, "bad_request", str(exc), [])


QUERY_FIXES = {
    "k": "use k from 1 to 100",
    "offset": "use an offset from 0 to 10000",
    "price_min": "use a price of 0 or more",
    "price_max": "use a price of 0 or more",
    "in_stock": "use true or false",
    "q": "give the query text, 1-500 characters",
    "item": "give a product id",
    "kind": "use one of search, recommend, similar, bought-together, ad",
    "id": "give the result's product id (for kind=ad: the ad token of the sponsored result)",
    "page": "use the 1-based page the result was shown on",
    "limit": "use a limit from 1 to 1000",
    "products": "use from 1 to 20 products per category",
    "neighbours": "use from 1 to 10 neighbours per product",
}


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    in_query = all(e.get("loc", ("",))[0] == "query" for e in errors)
    fixes = EVENT_FIXES if request.url.path.startswith("/events") else PRODUCT_FIXES
    if request.url.path.startswith("/assistant"):
        fixes = ASSISTANT_FIXES
    rows = request_row_errors(errors, QUERY_FIXES if in_query else fixes)
    if in_query:
        head = f"invalid query parameter(s) for {request.url.path}"
    else:
        head = (
            f"{len({r.row for r in rows})} invalid row(s) in the request body; nothing was stored"
        )
    message = "\n".join([head, *("  " + r.describe() for r in rows[:20])])
    return _error(422, "invalid_input", message, rows)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    message = str(exc.detail)
    if exc.status_code == 404:
        message = f"no route {request.method} {request.url.path}; see /docs for the API"
    return _error(exc.status_code, codes.get(exc.status_code, "http_error"), message, [])


def _build_id(settings: Settings) -> str | None:
    """The current build's id (None without one): a new build is picked up by serving."""
    try:
        return current_build(settings.home).id
    except NotFound:
        return None


def _fit_recommend(app: FastAPI, settings: Settings) -> RecommendEngine:
    """Fit recommendations on the store, with the search engine's product vectors."""
    live = app.state.search
    if live is not None:
        live.sync()  # after a catalog write (here or in another process), use the
        live.wait(600)  # re-indexed products' vectors
    return open_recommend(
        settings.home,
        app.state.store,
        settings.events,
        settings.recommend,
        live.engine if live is not None else None,
    )


def _open_ads(app: FastAPI, settings: Settings) -> AdServer:
    """The ad server: its book in ``HOME/ads.sqlite`` (or the PostgreSQL store), relevance
    from the engine serving now."""

    def engine() -> SearchEngine | None:
        live = app.state.search
        return live.engine if live is not None else None

    store = app.state.store
    book = CampaignBook.open(settings.home, settings.store_url, settings.store.busy_timeout_ms)
    quality = EngineQuality(engine, store, settings.ads.recent_events)
    return AdServer(book, store, settings.ads, quality, audience=segment_reader(settings.home))


def _live_ranker(app: FastAPI, settings: Settings) -> LiveRanker:
    """The trained ranker, over the catalog and the product vectors serving now."""

    def load(path: Path) -> Ranker:
        live = app.state.search
        engine = live.engine if live is not None else None
        return open_ranker(settings.home, app.state.store, engine, settings.rank)

    return LiveRanker(ranker_path(settings.home), load, version=lambda: _build_id(settings))


def _live_assistant(app: FastAPI, settings: Settings) -> LiveAssistant:
    """The assistant over the engine serving now and the store's knowledge."""

    def engine() -> SearchEngine | None:
        live = app.state.search
        return live.engine if live is not None else None

    cache = settings.home / "cache" / "embeddings"
    models = settings.home / "models"
    return LiveAssistant(app.state.store, settings.assistant, engine, cache, models)


def _heap_keeper(app: FastAPI, every_s: float) -> asyncio.Task[None] | None:
    """Settle the heap now that the engines are loaded, and keep it settled every
    ``every_s`` seconds and after any engine swap (``serve.heap``); None when 0."""
    if every_s <= 0:
        return None

    def parts() -> tuple[object, ...]:
        search, recommend, ranker = app.state.search, app.state.recommend, app.state.ranker
        return (
            search.generation if search is not None else None,
            recommend.generation if recommend is not None else None,
            id(ranker.current) if ranker is not None else None,
        )

    keeper = HeapKeeper(parts, every_s)
    keeper.settle()
    app.state.heap = keeper
    return asyncio.get_running_loop().create_task(keeper.run(), name="heap-keeper")


def _serve_directly(
    app: FastAPI, endpoints: dict[str, Callable[[Request], Awaitable[Any]]]
) -> None:
    """Serve these GET routes by Starlette's ``Route``, ahead of their FastAPI routes (which
    stay for the OpenAPI document): their endpoints take the request alone and return a
    finished response, so FastAPI's dependency solving per request has nothing to do
    (measured in process, the engine's answers given: a lexical search's own work outside the
    engine 258 -> 210 µs, the medians of ten alternating rounds).
    Errors reach the same exception handlers: those are the app's."""
    for path, endpoint in endpoints.items():
        if list(inspect.signature(endpoint).parameters) != ["request"]:
            raise TypeError(f"{path}: served directly, its endpoint must take the request alone")
        route = Route(path, endpoint, methods=["GET"], include_in_schema=False)
        assert route.methods is not None
        route.methods.discard("HEAD")  # as their FastAPI routes: GET alone (a HEAD gets 405)
        app.router.routes.append(route)


WORKER_LOG_ENV = "_SHOPMIND_LOG_LEVEL"  # the log level `shopmind serve` hands its processes
WORKER_LOG_FORMAT = LOG_FORMAT.replace("%(name)s", "[process %(process)d] %(name)s")


def app_from_environment() -> FastAPI:
    """The app for settings from the environment and files alone: what each process of a
    ``serve.workers`` > 1 server builds (``shopmind serve`` exports ``SHOPMIND_HOME``,
    ``SHOPMIND_CONFIG`` and its log level for them)."""
    level = os.environ.get(WORKER_LOG_ENV)
    if level is not None:  # the processes share the terminal: each line says whose it is
        logging.basicConfig(level=int(level), format=WORKER_LOG_FORMAT)
    return create_app(load())


def create_app(settings: Settings) -> FastAPI:
    """Build the API for ``settings``; the store opens at startup and closes at shutdown.

    Example::

        app = create_app(load(home="shop-data"))
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.home.mkdir(parents=True, exist_ok=True)
        store = open_store(settings.store_url, settings.store)
        app.state.store = store
        follower = None
        if store.shares_builds:  # nodes with homes of their own serve the newest build
            follow(store, settings.home)
            follower = BuildFollower(store, settings.home).start()
        catalog_at = store.catalog_version()  # before the engine reads the catalog
        app.state.search = LiveSearch(
            open_search(settings.home, store, settings.search),
            store,
            settings.search,
            settings.home / "cache" / "embeddings",
            reload=lambda: open_search(settings.home, store, settings.search),
            version=lambda: _build_id(settings),
            catalog=store.catalog_version,
            catalog_at=catalog_at,
        )
        app.state.recommend = LiveRecommend(
            lambda: _fit_recommend(app, settings),
            version=lambda: (_build_id(settings), store.catalog_version()),
        )
        app.state.ads = _open_ads(app, settings)
        app.state.experiments = ExperimentBook.open(
            settings.home, settings.store_url, settings.store.busy_timeout_ms
        )
        app.state.ranker = _live_ranker(app, settings)
        app.state.assistant = _live_assistant(app, settings)
        slots = open_slots(app, settings.serve)
        logger.info(
            "shopmind serving %s (searches off the event loop: %d at a time)",
            settings.store_url,
            slots,
        )
        keeper = _heap_keeper(app, settings.serve.heap_settle_s)
        try:
            yield
        finally:
            if keeper is not None:
                keeper.cancel()
                with suppress(asyncio.CancelledError):
                    await keeper
                HeapKeeper.release()
            live, recommending, ads = app.state.search, app.state.recommend, app.state.ads
            book = app.state.experiments
            app.state.experiments = None
            app.state.store = None
            app.state.ads = None
            app.state.search = None
            app.state.recommend = None
            app.state.assistant = None
            if follower is not None:
                follower.stop()
            # let a running re-index and refit finish before the store closes: both read it
            live.wait(60)
            recommending.wait(600)
            ads.book.close()
            book.close()
            store.close()

    app = FastAPI(
        title="shopmind",
        version=__version__,
        description="Search and recommendations for a shop, on its own data.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = None
    app.add_middleware(BodySizeLimit, max_bytes=settings.serve.max_body_bytes)
    app.add_middleware(  # added last, so outermost: a request without a key reads nothing
        KeyCheck,
        keys=keys_path(settings.home),
        rate=settings.serve.key_rate,
        burst=settings.serve.key_burst,
    )
    app.add_exception_handler(ShopmindError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.state.search = None
    app.state.recommend = None
    app.state.ads = None
    app.state.experiments = None
    app.state.ranker = None
    app.state.assistant = None
    # the list routes first: a request is matched against the routes in order
    _serve_directly(
        app,
        {
            "/search": search.search,
            "/recommend": recommend.recommend,
            "/similar": recommend.similar,
            "/bought-together": recommend.bought_together,
        },
    )
    routers = (
        search,
        recommend,
        health,
        assistant,
        catalog,
        events,
        campaigns,
        explain,
        visitors,
        profiles,
        analytics,
        forecast,
        shopmap,
        evaluations,
        experiments,
        keys,
        web,
    )
    for module in routers:
        app.include_router(module.router)
    app.mount("/console", StaticFiles(directory=STATIC_DIR), name="console")
    document_errors(app)
    return app
