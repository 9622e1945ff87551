"""Routes of visitor profiles and segments: ``GET /visitors/{visitor}/profile`` and
``GET /insight/segments``.

Both read artifacts of the home that ``shopmind analyze profiles`` / ``analyze segments``
(and ``shopmind build``) write; each is read again only when its file changed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from shopmind.config import Settings
from shopmind.errors import NotFound
from shopmind.insight.profilebook import ProfileBook, Reloading, profiles_path
from shopmind.insight.profiles import interest_types
from shopmind.insight.profileview import profile_json
from shopmind.insight.segments import Segments, segment_of, segments_path
from shopmind.serve.deps import SettingsDep, StoreDep

router = APIRouter(tags=["insight"])

PROFILE_EVENTS = 1_000  # newest events of a visitor a profile reads


def _books(
    request: Request, settings: Settings
) -> tuple[Reloading[ProfileBook], Reloading[Segments]]:
    """The app's readers of the two artifacts, made on first use."""
    state = request.app.state
    readers = getattr(state, "profile_readers", None)
    if readers is None:
        readers = (
            Reloading(profiles_path(settings.home), ProfileBook.load),
            Reloading(segments_path(settings.home), Segments.load),
        )
        state.profile_readers = readers
    return readers


@router.get("/visitors/{visitor}/profile")
async def visitor_profile(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    visitor: Annotated[str, Path(description="A user_id, or ~SESSION for an anonymous one")],
) -> dict[str, Any]:
    """A visitor's profile: interests (category, brand and price-band shares, interest
    clusters of the product vectors named by their top words), RFM values and quintile
    scores, lifecycle stage (new, active, at risk, lapsed), the probability of buying again
    within ``profiles.days`` days, the recent sessions (30-minute gaps) and the segment;
    404 for a visitor with no events and no profile."""
    profiles, segmented = _books(request, settings)
    config = settings.profiles
    interest = interest_types(settings.events)

    def run() -> dict[str, Any]:
        try:
            book = profiles.get()
        except NotFound:  # before the first build: from the visitor's events alone
            book = ProfileBook.empty(config.days, config.session_minutes)
        events = store.list_events(visitor=visitor, limit=PROFILE_EVENTS)
        products = store.get_products(sorted({e.item_id for e in events if e.item_id}))
        data = profile_json(visitor, events, products, book, interest, config.sessions)
        data["segment"] = _segment(segmented, visitor)
        return data

    return await run_in_threadpool(run)


def _segment(segmented: Reloading[Segments], visitor: str) -> dict[str, Any] | None:
    try:
        segments = segmented.get()
    except NotFound:
        return None
    number = segment_of(segments, visitor)
    if number is None:
        return None
    names = {s["segment"]: s["name"] for s in segments.report["segments"]}
    return {"segment": number, "name": names.get(number)}


@router.get("/insight/segments")
async def insight_segments(request: Request, settings: SettingsDep) -> dict[str, Any]:
    """The saved segments (``shopmind analyze segments``): k, how it was chosen, and per
    segment its name, size, revenue share, medians, traits and top products; 404 naming
    the command before the first run."""
    _, segmented = _books(request, settings)
    segments = await run_in_threadpool(segmented.get)
    return segments.report
