"""``/keys`` (admin): make, list and revoke API keys. A new key's secret is in the answer to
its ``POST`` only; the home keeps its hash."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, status
from starlette.concurrency import run_in_threadpool

from shopmind.errors import InvalidInput, RowError
from shopmind.security.keys import KeyBook, keys_path, parse_duration
from shopmind.serve.deps import SettingsDep

router = APIRouter(prefix="/keys", tags=["keys"])

_EXAMPLE = {
    "scope": "search",
    "expires": "30d",
    "description": "storefront",
    "routes": ["/search", "/recommend"],
    "filters": {"in_stock": True},
}
_FIELDS = {"scope", "expires", "description", "routes", "filters"}


def _book(settings: SettingsDep) -> Iterator[KeyBook]:
    book = KeyBook(keys_path(settings.home))
    try:
        yield book
    finally:
        book.close()


BookDep = Annotated[KeyBook, Depends(_book)]


@router.get("")
async def list_keys(book: BookDep) -> dict[str, Any]:
    """Every key (never a secret): id, prefix, scope, description, created, expires, revoked,
    routes and filters."""
    found = await run_in_threadpool(book.list)
    return {"keys": [k.to_json() for k in found]}


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_key(
    book: BookDep, body: Annotated[dict[str, Any], Body(examples=[_EXAMPLE])]
) -> dict[str, Any]:
    """Make a key; the answer holds its secret (``key``), shown this once. 422 naming the
    field for an unknown scope, a bad expiry (``30d``, ``12h``), route or filter."""
    extra = sorted(set(body) - _FIELDS)
    if extra:
        fix = f"send only {', '.join(sorted(_FIELDS))}"
        raise InvalidInput([RowError(1, extra[0], "unknown field", fix)], source="key")
    expires = body.get("expires")
    if expires is not None and not isinstance(expires, str):
        raise InvalidInput([RowError(1, "expires", "not a duration", "e.g. 30d")], source="key")
    routes, filters = body.get("routes") or [], body.get("filters") or {}
    if not isinstance(routes, list) or not all(isinstance(r, str) for r in routes):
        raise InvalidInput([RowError(1, "routes", "not a list of paths", '["/search"]')])
    if not isinstance(filters, dict):
        raise InvalidInput([RowError(1, "filters", "not an object", '{"in_stock": true}')])
    made, secret = await run_in_threadpool(
        book.create,
        str(body.get("scope", "")),
        None if expires is None else parse_duration(expires),
        str(body.get("description", "")),
        routes,
        filters,
    )
    return {**made.to_json(), "key": secret}


@router.delete("/{key_id}")
async def revoke_key(key_id: int, book: BookDep) -> dict[str, Any]:
    """Revoke a key now; 404 for an unknown id."""
    revoked = await run_in_threadpool(book.revoke, key_id)
    return revoked.to_json()
