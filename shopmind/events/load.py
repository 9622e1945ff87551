"""From behaviour files to event records: generic tables, RecBole atomic files, Diginetica.

Each adapter turns a chunk of raw file records into ``(row, record)`` pairs whose keys are
:class:`~shopmind.events.models.Event` fields, ready to validate; ``row`` stays the file's
row so that an error still points at the line a person can open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shopmind.errors import InvalidFile
from shopmind.events.models import EVENT_FIELDS, EVENT_TYPES, canonical_type, whole_id
from shopmind.sources.files import Chunk, SourceFile
from shopmind.sources.mapping import ColumnMap, Plan, parse_mapping

EVENT_ALIASES: dict[str, tuple[str, ...]] = {
    "user_id": ("user", "userid", "customer_id", "customerid", "visitor_id", "visitorid", "uid"),
    "session_id": ("session", "sessionid", "sid"),
    "item_id": ("product_id", "item", "itemid", "product", "sku", "product_uid", "movie_id"),
    "type": ("event_type", "event", "action", "behavior", "behaviour"),
    "value": ("rating", "amount", "price_paid"),
    "quantity": ("qty", "units"),
    "price": ("unit_price", "unitprice"),
    "timestamp": ("ts", "time", "event_time", "datetime", "timeframe_ts", "created_at"),
    "query": ("search_term", "search_query", "keyword", "q"),
    "position": ("pos", "rank"),
}

_ID_FIELDS = ("event_id", "user_id", "session_id", "item_id")
DIGINETICA_COLUMNS = ("session_id", "user_id", "item_id", "timeframe", "eventdate")
SEQUENCE_COLUMNS = ("user_id", "item_id_list", "item_id")

Adapter = Callable[[Chunk], Chunk]


@dataclass
class EventReading:
    """How a behaviour file is read: the adapter and what the summary should say about it."""

    kind: str
    adapt: Adapter
    notes: list[str] = field(default_factory=list)


def event_column_map(pairs: Iterable[str]) -> ColumnMap:
    """The column map for generic event files, from ``--map FIELD=COLUMN`` pairs."""
    explicit = parse_mapping(pairs, EVENT_FIELDS)
    return ColumnMap(explicit, EVENT_FIELDS, EVENT_ALIASES, extras_into="context")


def dataset_name(src: SourceFile) -> str:
    """The dataset a file belongs to: its name up to the first dot (``Games-6k``)."""
    return src.name.split(".", 1)[0]


def reading_for(
    src: SourceFile, mapping: Iterable[str] = (), default_type: str | None = None
) -> EventReading:
    """Choose how to read a behaviour file from its format and columns.

    Args:
        src: the inspected file.
        mapping: ``FIELD=COLUMN`` pairs for generic files.
        default_type: the event type of rows in files without a type column.

    Raises:
        InvalidFile: the file has no type column and no type can be inferred.
    """
    if default_type is not None and default_type not in EVENT_TYPES:
        raise InvalidFile(
            f"--type {default_type}: unknown event type; use one of: {', '.join(EVENT_TYPES)}"
        )
    cols = set(src.columns)
    if src.format == "recbole" and set(SEQUENCE_COLUMNS) <= cols:
        return _sequences(src, default_type or "purchase")
    if set(DIGINETICA_COLUMNS) <= cols:
        return _diginetica(src)
    return _generic(src, mapping, default_type)


def _sequences(src: SourceFile, etype: str) -> EventReading:
    name = dataset_name(src)

    def adapt(chunk: Chunk) -> Chunk:
        out: Chunk = []
        for row, rec in chunk:
            user = str(rec.get("user_id", "")).strip()
            items = str(rec.get("item_id_list", "")).split()
            target = str(rec.get("item_id", "")).strip()
            if target:
                items.append(target)
            for pos, item in enumerate(items):
                out.append(
                    (
                        row,
                        {
                            "event_id": f"{name}:{user}:{pos}",
                            "user_id": user,
                            "item_id": item,
                            "type": etype,
                        },
                    )
                )
        return out

    notes = [
        f"RecBole sequence file: each user's history then target expanded in order as "
        f"'{etype}' events (event ids {name}:USER:POSITION, so re-sending is a no-op)",
        "no timestamps in the file: the order of the sequences is kept",
    ]
    return EventReading("recbole-sequences", adapt, notes)


def _diginetica(src: SourceFile) -> EventReading:
    def adapt(chunk: Chunk) -> Chunk:
        out: Chunk = []
        for row, rec in chunk:
            session, item = str(rec["session_id"]).strip(), str(rec["item_id"]).strip()
            user = str(rec.get("user_id") or "").strip()
            visitor = {} if user in ("", "NA") else {"user_id": user}
            frame = str(rec.get("timeframe") or "").strip()
            day = str(rec.get("eventdate") or "").strip()
            ts: Any = day
            if day and frame.isdigit():
                try:
                    base = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
                    ts = base + int(frame) / 1000.0
                except ValueError:
                    ts = day  # let validation report the bad date
            out.append(
                (
                    row,
                    {
                        "event_id": f"diginetica:{session}:{item}:{frame}",
                        "session_id": session,
                        **visitor,
                        "item_id": item,
                        "type": "view",
                        "timestamp": ts,
                    },
                )
            )
        return out

    notes = ["Diginetica session file: rows read as 'view' events at eventdate + timeframe ms"]
    return EventReading("diginetica", adapt, notes)


def _generic(src: SourceFile, mapping: Iterable[str], default_type: str | None) -> EventReading:
    colmap = event_column_map(mapping)
    name = dataset_name(src)
    plans: dict[tuple[str, ...], Plan] = {}
    notes: list[str] = []

    def plan_for(columns: tuple[str, ...]) -> Plan:
        plan = plans.get(columns)
        if plan is None:
            plan = colmap.plan(columns, source=str(src.path))
            plans[columns] = plan
            for note in plan.notes:
                if note not in notes:
                    notes.append(note)
        return plan

    if src.columns:
        plan = plan_for(src.columns)
        has_type = "type" in plan.rename.values()
        rating_col = next((c for c, f in plan.rename.items() if f == "value"), None)
        if not has_type and default_type is None:
            if rating_col is not None and rating_col.lower() == "rating":
                default_type = "rating"
                notes.append("no 'type' column: rows read as 'rating' events (set --type)")
            else:
                raise InvalidFile(
                    "the file has no event type column; add a 'type' column, map one with "
                    "--map type=COLUMN, or give every row one type with --type "
                    f"({', '.join(EVENT_TYPES)})",
                    source=str(src.path),
                )
        elif not has_type:
            notes.append(f"no 'type' column: rows read as '{default_type}' events")
    derive_ids = src.format == "recbole"
    typed = src.format in ("jsonl", "parquet")  # text formats never hold a float

    def adapt(chunk: Chunk) -> Chunk:
        out: Chunk = []
        for row, rec in chunk:
            fields = colmap.apply(plan_for(tuple(rec)), rec)
            if typed:  # a Parquet/JSON float column: 17850.0 is id 17850
                for key in _ID_FIELDS:
                    raw = fields.get(key)
                    if raw.__class__ is float:
                        fields[key] = whole_id(raw)
            if "type" in fields:
                fields["type"] = canonical_type(fields["type"])
            elif default_type is not None:
                fields["type"] = default_type
            if derive_ids and "event_id" not in fields:
                fields["event_id"] = (
                    f"{name}:{fields.get('user_id')}:{fields.get('item_id')}:"
                    f"{fields.get('timestamp')}"
                )
            out.append((row, fields))
        return out

    if derive_ids:
        notes.append(f"RecBole file: event ids {name}:USER:ITEM:TIME, so re-sending is a no-op")
    return EventReading("recbole" if derive_ids else src.format, adapt, notes)
