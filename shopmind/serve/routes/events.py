"""Event routes: post one event or a batch (all or none), read a visitor's recent events.

An ``ad_click`` whose context carries the ad's token (``ad``) is charged once stored.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status

from shopmind.ads import AdServer
from shopmind.events import Event
from shopmind.ingest import ingest_event_batch
from shopmind.serve.arms import book
from shopmind.serve.deps import AdsDep, SettingsDep, StoreDep, check_batch
from shopmind.serve.schemas import EventBatchIn, WriteOut

router = APIRouter(prefix="/events", tags=["events"])


def _stamped(events: list[Event]) -> list[Event]:
    """Events posted without a time happened now."""
    now = datetime.now(UTC)
    return [
        e if e.timestamp is not None else e.model_copy(update={"timestamp": now}) for e in events
    ]


def _count_clicks(request: Request, events: list[Event]) -> None:
    """Clicks on logged answers count for exploration's record of the product."""
    found = book(request)
    if found is None:
        return
    for e in events:
        if e.type == "click" and e.item_id is not None and "request_id" in e.context:
            found.exposure.clicked(e.item_id)


def _charge_ad_clicks(ads: AdServer, events: list[Event]) -> None:
    """Charge the ad clicks among stored events (a token charges once, however often sent),
    at the server's time: a client's timestamp must not move the charge to another day's
    budget."""
    for e in events:
        if e.type == "ad_click" and "ad" in e.context:
            ads.click(e.context["ad"], None, e.item_id)


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def post_event(
    request: Request, event: Event, store: StoreDep, settings: SettingsDep, ads: AdsDep
) -> WriteOut:
    """Store one event; re-sending the same ``event_id`` is a no-op. An event with the
    ``request_id`` of an answer is attributed to it (its variant and position)."""
    events = _stamped([event])
    report = ingest_event_batch(store, events, settings.ingest)
    _charge_ad_clicks(ads, events)
    _count_clicks(request, events)
    return WriteOut(inserted=report.inserted, duplicates=report.duplicates, quality=report.quality)


@router.post("/batch", status_code=status.HTTP_202_ACCEPTED)
def post_events(
    request: Request, batch: EventBatchIn, store: StoreDep, settings: SettingsDep, ads: AdsDep
) -> WriteOut:
    """Store many events: every one or none (a bad row refuses the batch, naming it)."""
    check_batch(len(batch.events), settings.serve.max_batch)
    events = _stamped(batch.events)
    report = ingest_event_batch(store, events, settings.ingest)
    _charge_ad_clicks(ads, events)
    _count_clicks(request, events)
    return WriteOut(inserted=report.inserted, duplicates=report.duplicates, quality=report.quality)


@router.get("")
def list_events(
    store: StoreDep,
    settings: SettingsDep,
    visitor: Annotated[str | None, Query(description="user id, or ~session for anonymous")] = None,
    item: Annotated[str | None, Query(description="product id")] = None,
    limit: Annotated[int, Query(ge=1)] = 100,
) -> list[dict[str, Any]]:
    """The most recent events, newest first."""
    limit = min(limit, settings.serve.max_page_size)
    return [asdict(e) for e in store.list_events(visitor=visitor, item_id=item, limit=limit)]
