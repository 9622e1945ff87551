"""Event routes: post one event or a batch (all or none), read a visitor's recent events."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from shopmind.events import Event
from shopmind.ingest import ingest_event_batch
from shopmind.serve.deps import SettingsDep, StoreDep, check_batch
from shopmind.serve.schemas import EventBatchIn, WriteOut

router = APIRouter(prefix="/events", tags=["events"])


def _stamped(events: list[Event]) -> list[Event]:
    """Events posted without a time happened now."""
    now = datetime.now(UTC)
    return [
        e if e.timestamp is not None else e.model_copy(update={"timestamp": now}) for e in events
    ]


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def post_event(event: Event, store: StoreDep, settings: SettingsDep) -> WriteOut:
    """Store one event; re-sending the same ``event_id`` is a no-op."""
    report = ingest_event_batch(store, _stamped([event]), settings.ingest)
    return WriteOut(inserted=report.inserted, duplicates=report.duplicates, quality=report.quality)


@router.post("/batch", status_code=status.HTTP_202_ACCEPTED)
def post_events(batch: EventBatchIn, store: StoreDep, settings: SettingsDep) -> WriteOut:
    """Store many events: every one or none (a bad row refuses the batch, naming it)."""
    check_batch(len(batch.events), settings.serve.max_batch)
    report = ingest_event_batch(store, _stamped(batch.events), settings.ingest)
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
