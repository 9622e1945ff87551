"""Request dependencies: the store, settings and ad server the app was created with.

They are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread, and that
hand-off, for reading an attribute, cost every request more than a cheap route's work.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, cast

import numpy as np
from fastapi import Depends, Request

from shopmind.ads import AdServer, PCtr
from shopmind.config import Settings
from shopmind.errors import StoreError, TooLarge
from shopmind.explain import Node
from shopmind.rank.live import LiveRanker
from shopmind.search import Reorder
from shopmind.store import Store

RANK_EVENTS = 500  # newest events of a visitor the ranker's features read


def get_store(request: Request) -> Store:
    """The app's store; 503 while the app is starting or stopping."""
    store = request.app.state.store
    if store is None:
        raise StoreError("the store is not open yet (the server is starting or stopping)")
    return cast(Store, store)


def get_ads(request: Request) -> AdServer:
    """The app's ad server; 503 while the app is starting or stopping."""
    ads = getattr(request.app.state, "ads", None)
    if ads is None:
        raise StoreError("the ad server is not open yet (the server is starting or stopping)")
    return cast(AdServer, ads)


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return cast(Settings, request.app.state.settings)


async def _store(request: Request) -> Store:
    return get_store(request)


async def _ads(request: Request) -> AdServer:
    return get_ads(request)


async def _settings(request: Request) -> Settings:
    return get_settings(request)


StoreDep = Annotated[Store, Depends(_store)]
SettingsDep = Annotated[Settings, Depends(_settings)]
AdsDep = Annotated[AdServer, Depends(_ads)]


def check_batch(size: int, limit: int) -> None:
    """Refuse a batch over ``serve.max_batch`` rows."""
    if size > limit:
        raise TooLarge(
            f"a batch of {size} rows is over the limit of {limit}; split it into smaller "
            "batches (or raise serve.max_batch)"
        )


def _catalog_write(request: Request) -> Iterator[None]:
    """After a catalog write succeeds, tell live search to re-index (not after a failure)."""
    yield
    live = getattr(request.app.state, "search", None)
    if live is not None:
        live.catalog_changed()
    recommend = getattr(request.app.state, "recommend", None)
    if recommend is not None:
        recommend.refresh()


CatalogWrite = Annotated[None, Depends(_catalog_write)]


@dataclass(frozen=True)
class Ranking:
    """The trained ranker bound to one visitor: a second stage for their list and a click
    model for the ad auction (both None when ranking is off or no ranker is trained)."""

    reorder: Reorder | None = None
    pctr: PCtr | None = None
    exclude: frozenset[str] = frozenset()  # products this visitor must not be shown


def ranker_on(request: Request, settings: Settings) -> bool:
    """Whether lists go through a trained ranker (``rank.enabled`` and one is trained)."""
    live = getattr(request.app.state, "ranker", None)
    # .current: a reload (torch.load, the catalog) happens in ranking(), off the event loop
    if not settings.rank.enabled or live is None:
        return False
    ranker = cast(LiveRanker, live)
    return ranker.present


def ranking(
    request: Request, settings: Settings, store: Store, visitor: str | None, page: int
) -> Ranking:
    """The ranker for this visitor. Reads their newest events: call it off the event loop."""
    live = getattr(request.app.state, "ranker", None)
    ranker = cast(LiveRanker, live).ranker if live is not None and settings.rank.enabled else None
    if ranker is None:
        return Ranking()
    events = store.list_events(visitor=visitor, limit=RANK_EVENTS) if visitor else []
    context = {"page": str(page)}
    device = request.query_params.get("device")
    if device:
        context["device"] = device

    def reorder(ids: list[str], explain: int) -> tuple[np.ndarray, list[Node]]:
        return ranker.reorder(visitor, events, ids, explain, context)

    def pctr(who: str | None, ids: Sequence[str]) -> np.ndarray:
        return ranker.score(who, events, ids, context).ctr

    return Ranking(reorder, pctr)
