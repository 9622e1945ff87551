"""Visitor routes: ``GET /visitors`` (the most active) and ``GET /visitors/{visitor}``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool

from shopmind.errors import NotFound
from shopmind.events.profile import price_tertiles, visitor_profile
from shopmind.serve.deps import SettingsDep, StoreDep
from shopmind.serve.lists import recommend_engine

router = APIRouter(tags=["visitors"])

PROFILE_EVENTS = 10_000  # newest events of a visitor a profile reads


@router.get("/visitors")
async def visitors(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1_000, description="How many visitors")] = 50,
) -> dict[str, Any]:
    """The most active visitors, most events first: ``visitor`` (``~SESSION`` for an
    anonymous one), ``events`` and ``last_seen`` (ISO-8601 UTC)."""
    found = await run_in_threadpool(store.top_visitors, limit)
    return {"visitors": [v.as_dict() for v in found]}


@router.delete("/visitors/{visitor}")
async def forget_visitor(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    visitor: Annotated[str, Path(description="A user_id, or ~SESSION for an anonymous one")],
) -> dict[str, Any]:
    """Forget a visitor (admin): every event of theirs and of their sessions, their ad
    impressions and logged answers, saved conversations and reject lines, and their ids in
    the saved profiles, segments, builds and ranker; the next build recomputes those without
    them. Answers the counts (never the id); an audit row keeps who asked, when and how many
    rows."""
    from shopmind.security.forget import forget

    actor = str(getattr(request.state, "api_key", "") or "http (no keys)")
    log = getattr(request.app.state, "experiments", None)
    if log is not None:  # the answers still queued are forgotten with the logged ones
        await run_in_threadpool(log.flush)
    report = await run_in_threadpool(forget, settings.home, store, [visitor], actor)
    return report.as_dict()


@router.get("/visitors/{visitor}")
async def visitor(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    visitor: Annotated[str, Path(description="A user_id, or ~SESSION for an anonymous one")],
) -> dict[str, Any]:
    """A visitor's interest profile: shares by category (top levels and leaves) and brand
    over their interest events (the types ``events.weights`` weighs above 0, and "more like
    this"), price bands against each category's price tertiles, counts by event type, and
    the newest 50 events; 404 for a visitor with no events."""
    engine = recommend_engine(request)
    interest = {t for t, w in settings.events.weights.items() if w > 0} | {"more_like_this"}

    def run() -> dict[str, Any]:
        events = store.list_events(visitor=visitor, limit=PROFILE_EVENTS)
        if not events:
            raise NotFound(f"no events for visitor {visitor}; pick a visitor from /visitors")
        products = store.get_products(sorted({e.item_id for e in events if e.item_id}))
        tertiles = price_tertiles(engine.products)
        return visitor_profile(visitor, events, products, tertiles, interest)

    return await run_in_threadpool(run)
