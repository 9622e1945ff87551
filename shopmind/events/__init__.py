"""Events: the behaviour-event schema, loading events from files, and event quality checks."""

from shopmind.events.load import EVENT_ALIASES, EventReading, event_column_map, reading_for
from shopmind.events.models import (
    EVENT_FIELDS,
    EVENT_TYPES,
    FIELD_FIXES,
    Event,
    EventKind,
    StoredEvent,
)
from shopmind.events.quality import EventQuality, bot_like_visitors

__all__ = [
    "EVENT_ALIASES",
    "EVENT_FIELDS",
    "EVENT_TYPES",
    "FIELD_FIXES",
    "Event",
    "EventKind",
    "EventQuality",
    "EventReading",
    "StoredEvent",
    "bot_like_visitors",
    "event_column_map",
    "reading_for",
]
