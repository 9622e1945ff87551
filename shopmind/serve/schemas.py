"""Wire schemas of the HTTP API, kept apart from the stored models."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import orjson
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from shopmind.catalog import Product
from shopmind.events import Event

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a listing."""

    items: list[T]
    total: int
    offset: int
    limit: int


class ProductBatchIn(BaseModel):
    """Many products to upsert at once; all or none."""

    products: list[Product] = Field(min_length=1)


class EventBatchIn(BaseModel):
    """Many events to append at once; all or none."""

    events: list[Event] = Field(min_length=1)


class WriteOut(BaseModel):
    """What a write did."""

    inserted: int
    updated: int = 0
    duplicates: int = 0
    quality: dict[str, Any] = Field(default_factory=dict)


class RowErrorOut(BaseModel):
    """One rejected row."""

    row: int
    field: str
    problem: str
    fix: str
    value: str = ""


class ErrorOut(BaseModel):
    """Every error response: a code, a message a person can act on, and rejected rows."""

    error: str
    message: str
    errors: list[RowErrorOut] = Field(default_factory=list)


class Health(BaseModel):
    """Liveness or readiness."""

    status: str
    detail: dict[str, Any] = Field(default_factory=dict)


class PlainJSON(JSONResponse):
    """A JSON response written by orjson: a twelfth of the standard library's time for a
    result page, the same bytes for plain values (UTF-8, no spaces; numpy scalars as
    numbers and non-string keys as strings). A NaN or infinity, which JSON has no word
    for, is written as ``null``."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def plain_json(content: dict[str, Any]) -> JSONResponse:
    """An answer already made of plain JSON values (dicts, lists, str, numbers, None, bool),
    such as a result list with its reasons trees, sent as it is. A tree may also be left as
    its :class:`~shopmind.explain.tree.Node`: orjson writes a dataclass as the dict of its
    fields in order, the very JSON ``Node.as_dict`` gives (``SearchResult.as_dict``).

    FastAPI otherwise walks every value of a returned dict to make it JSON-able, which on a
    10-hit search page with its trees cost 1.0 ms of the request's CPU against 0.13 ms for
    writing it (benchmarks/README.md).
    """
    return PlainJSON(content)
