"""The behaviour-event schema: who did what to which product, when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

EventKind = Literal[  # the kinds of behaviour shopmind understands
    "view",
    "click",
    "cart",
    "purchase",
    "return",
    "rating",
    "search",
    "impression",
    "ad_impression",
    "ad_click",
    "not_interested",
    "more_like_this",
]
EVENT_TYPES: tuple[str, ...] = get_args(EventKind)
TYPE_ALIASES: dict[str, str] = {
    "pageview": "view",
    "page_view": "view",
    "detail": "view",
    "add_to_cart": "cart",
    "addtocart": "cart",
    "add-to-cart": "cart",
    "buy": "purchase",
    "order": "purchase",
    "transaction": "purchase",
    "refund": "return",
    "cancellation": "return",
    "rate": "rating",
    "query": "search",
}


def canonical_type(value: Any) -> Any:
    """Map a type spelling from shop logs (``add_to_cart``, ``Purchase``) to an event type."""
    if isinstance(value, str) and value not in _TYPE_SET:
        low = value.strip().lower()
        return TYPE_ALIASES.get(low, low)
    return value


_TYPE_SET = frozenset(EVENT_TYPES)

Id = Annotated[str, StringConstraints(min_length=1, max_length=256, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(max_length=1_000, strip_whitespace=True)]


class Event(BaseModel):
    """One behaviour event.

    A visitor is a ``user_id`` or, for anonymous visitors, a ``session_id``; at least one is
    required. ``item_id`` is required except for searches, which need ``query`` instead.
    ``event_id``, when given, makes re-sending the same event a no-op. ``quantity`` is the
    units in a purchase line (or a return) and ``price`` the unit price; a purchase with a
    negative quantity (a cancellation or a return) becomes a ``return`` of the positive
    quantity (:func:`read_as_return` tells which raw records will). Visitor ids written from
    a float column (``17850.0``) are read as ``17850`` (see :func:`whole_id`). ``request_id``
    names the answer (``/search``, ``/recommend``...) the event follows from; it is kept in
    ``context`` and attributes the event to that answer, its variant and its position.
    """

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    event_id: Id | None = None
    user_id: Id | None = None
    session_id: Id | None = None
    item_id: Id | None = None
    type: EventKind
    value: float | None = Field(default=None, allow_inf_nan=False)
    quantity: float | None = Field(default=None, allow_inf_nan=False)
    price: float | None = Field(default=None, allow_inf_nan=False)
    query: Text | None = None
    position: int | None = Field(default=None, ge=1, le=1_000_000_000)
    page: int | None = Field(default=None, ge=1, le=1_000_000_000)
    timestamp: datetime | None = None
    context: dict[str, str] = Field(default_factory=dict)
    request_id: Id | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        # one pass (this runs on every ingested row): visitor ids written from a float column
        # lose their ".0", and a purchase of negative units becomes a return of positive ones
        user, session = self.user_id, self.session_id
        if user is not None and user[-1:] == "0":
            self.user_id = whole_id(user, visitor=True)
        if session is not None and session[-1:] == "0":
            self.session_id = whole_id(session, visitor=True)
        if self.request_id is not None:  # kept with the event in its context
            self.context["request_id"] = self.request_id
        qty = self.quantity
        if qty is not None and qty < 0 and self.type == "purchase":
            self.type = "return"
            self.quantity = qty = -qty
        if self.user_id is None and self.session_id is None:
            raise PydanticCustomError(
                "missing_visitor",
                "an event needs a visitor: user_id, or session_id for anonymous visitors",
                {"field": "user_id"},
            )
        if self.type == "search":
            if not self.query:
                raise PydanticCustomError(
                    "missing_query", "a search event needs the query text", {"field": "query"}
                )
        elif self.item_id is None:
            raise PydanticCustomError(
                "missing_item",
                f"a {self.type} event needs the product's item_id",
                {"field": "item_id"},
            )
        if self.type == "rating" and self.value is None:
            raise PydanticCustomError(
                "missing_rating", "a rating event needs the rating in value", {"field": "value"}
            )
        if self.value is not None and self.value < 0:
            raise PydanticCustomError(
                "negative_value", "value must not be negative", {"field": "value"}
            )
        if qty is not None and qty <= 0:
            raise PydanticCustomError(
                "bad_quantity",
                "quantity must be above 0 (a negative one is read as a return only on a purchase)",
                {"field": "quantity"},
            )
        if self.price is not None and self.price < 0:
            raise PydanticCustomError(
                "negative_price", "price must not be negative", {"field": "price"}
            )
        return self

    @property
    def ts(self) -> float | None:
        """Epoch seconds (a time without a zone is taken as UTC)."""
        stamp = self.timestamp
        if stamp is None:
            return None
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=UTC).timestamp()
        return stamp.timestamp()

    @property
    def visitor(self) -> str:
        """The visitor key: the user id, else the anonymous session id."""
        return self.user_id if self.user_id is not None else f"~{self.session_id}"


def whole_id(value: Any, visitor: bool = False) -> Any:
    """An id as text without a float's ``.0``: ``17850.0`` → ``"17850"``.

    Readers that type an id column as float (pandas, Parquet, JSON numbers) write whole
    numbers as ``17850.0``. A float value always loses the ``.0`` (the catalog reads product
    ids the same way); a text value does only for visitor ids (``visitor=True``: a CSV written
    from such a column), since a product id in text must stay equal to the catalog's.
    Anything else is returned unchanged (the same object).
    """
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else value
    if visitor and isinstance(value, str) and value.endswith("0"):
        head, dot, tail = value.partition(".")
        if dot and head.isdigit() and head.isascii() and not tail.strip("0"):
            return head
    return value


def _number(value: Any) -> float:
    return float(value.strip()) if isinstance(value, str) else float(value)


def read_as_return(record: Mapping[str, Any]) -> bool:
    """Whether a raw event record is a purchase line with a negative quantity: a cancellation
    or a return, stored as a ``return`` event of the positive quantity."""
    if canonical_type(record.get("type")) != "purchase":
        return False
    qty = record.get("quantity")
    if qty is None or isinstance(qty, bool):
        return False
    try:
        return _number(qty) < 0
    except (TypeError, ValueError):
        return False  # validation names the unreadable quantity


def iso_utc(ts: float | None) -> str | None:
    """Epoch seconds as an ISO-8601 UTC time (``2026-03-01T12:00:00Z``); None stays None."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


EVENT_FIELDS: tuple[str, ...] = tuple(Event.model_fields)

FIELD_FIXES: dict[str, str] = {
    "type": f"use one of: {', '.join(EVENT_TYPES)}",
    "user_id": "give user_id, or session_id for an anonymous visitor",
    "session_id": "give user_id, or session_id for an anonymous visitor",
    "item_id": "give the product id the event is about (map it with --map item_id=COLUMN)",
    "query": "give the search text in query",
    "value": "write a plain number ≥ 0 (a rating or the amount paid)",
    "quantity": "write the units as a number other than 0 (negative on a purchase = a return)",
    "price": "write the unit price as a plain number ≥ 0 (a refund is a negative quantity)",
    "position": "write the 1-based position as a whole number",
    "page": "write the 1-based page as a whole number",
    "timestamp": "use an ISO-8601 time like 2025-03-01T12:00:00Z or epoch seconds",
    "context": 'give context as an object of strings, e.g. {"device": "mobile"}',
    "request_id": "give the request_id of the answer the event follows from (or leave it out)",
}


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back from the store, with its store sequence number."""

    seq: int
    event_id: str | None
    visitor: str
    user_id: str | None
    session_id: str | None
    item_id: str | None
    type: str
    value: float | None
    query: str | None
    position: int | None
    page: int | None
    ts: float | None
    context: dict[str, str]
    quantity: float | None = None
    price: float | None = None
