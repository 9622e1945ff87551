"""Rows to models and back, shared by the backends (one column order for all)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shopmind.catalog.models import Product, ProductPatch
from shopmind.errors import NotFound
from shopmind.events.models import Event, StoredEvent

PRODUCT_COLUMNS = (
    "id, title, description, category, brand, price, currency, stock, in_stock, attributes, "
    "image_url, url, language, created_at, updated_at"
)
EVENT_COLUMNS = (
    "seq, event_id, visitor, user_id, session_id, item_id, type, value, query, position, page, "
    "ts, context, quantity, price"
)
# the columns an insert writes (seq is the store's)
EVENT_INSERT_COLUMNS = EVENT_COLUMNS.removeprefix("seq, ")


def product_row(p: Product, now: float) -> tuple[Any, ...]:
    created = p.created_at.timestamp() if p.created_at is not None else now
    updated = p.updated_at.timestamp() if p.updated_at is not None else now
    return (
        p.id,
        p.title,
        p.description,
        p.category,
        p.brand,
        p.price,
        p.currency,
        p.stock,
        p.in_stock,
        json.dumps(p.attributes, ensure_ascii=False, sort_keys=True),
        p.image_url,
        p.url,
        p.language,
        created,
        updated,
    )


def product_from_row(row: tuple[Any, ...]) -> Product:
    return Product.model_validate(
        {
            "id": row[0],
            "title": row[1],
            "description": row[2],
            "category": row[3],
            "brand": row[4],
            "price": row[5],
            "currency": row[6],
            "stock": row[7],
            "in_stock": bool(row[8]),
            "attributes": json.loads(row[9]),
            "image_url": row[10],
            "url": row[11],
            "language": row[12],
            "created_at": row[13],
            "updated_at": row[14],
        }
    )


def event_row(e: Event | StoredEvent) -> tuple[Any, ...]:
    """The insert row (``EVENT_INSERT_COLUMNS``) of a new event, or of one read from a store
    exactly as stored: copying a store keeps every value to the bit."""
    return (
        e.event_id,
        e.visitor,
        e.user_id,
        e.session_id,
        e.item_id,
        e.type,
        e.value,
        e.query,
        e.position,
        e.page,
        e.ts,
        json.dumps(e.context, ensure_ascii=False) if e.context else None,
        e.quantity,
        e.price,
    )


def event_from_row(row: tuple[Any, ...]) -> StoredEvent:
    return StoredEvent(
        seq=row[0],
        event_id=row[1],
        visitor=row[2],
        user_id=row[3],
        session_id=row[4],
        item_id=row[5],
        type=row[6],
        value=row[7],
        query=row[8],
        position=row[9],
        page=row[10],
        ts=row[11],
        context=json.loads(row[12]) if row[12] else {},
        quantity=row[13],
        price=row[14],
    )


def apply_patches(current: dict[str, Product], patches: Sequence[ProductPatch]) -> list[Product]:
    """The stored products ``current`` with every patch applied, in order; raises NotFound
    (naming up to ten) when a patch is for a product not in ``current``."""
    missing = sorted({p.id for p in patches} - set(current))
    if missing:
        shown = ", ".join(missing[:10])
        raise NotFound(
            f"{len(missing)} product(s) to update do not exist: {shown}; "
            "ingest them in full (with a title) first"
        )
    for patch in patches:
        current[patch.id] = patched(current[patch.id], patch)
    return list(current.values())


def patched(current: Product, patch: ProductPatch) -> Product:
    """``current`` with the patch's fields changed: attributes merge, and a time or stock
    state the patch does not give is derived again."""
    base = current.model_dump()
    changes = patch.changes()
    attrs = changes.pop("attributes", None)
    base.update(changes)
    if attrs is not None:
        base["attributes"] = {**base["attributes"], **attrs}
    if "updated_at" not in changes:
        base["updated_at"] = None
    if "in_stock" not in changes and "stock" in changes:
        base["in_stock"] = None
    return Product.model_validate(base)


def event_filters(
    visitor: str | None, item_id: str | None, mark: str
) -> tuple[list[str], list[object]]:
    """The WHERE clauses and parameters of ``list_events``'s visitor and product filters,
    with the backend's placeholder ``mark``."""
    clauses: list[str] = []
    params: list[object] = []
    if visitor is not None:
        clauses.append(f"visitor = {mark}")
        params.append(visitor)
    if item_id is not None:
        clauses.append(f"item_id = {mark}")
        params.append(item_id)
    return clauses, params
