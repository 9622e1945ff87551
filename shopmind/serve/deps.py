"""Request dependencies: the store and settings the app was created with."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, cast

from fastapi import Depends, Request

from shopmind.config import Settings
from shopmind.errors import StoreError, TooLarge
from shopmind.store import Store


def get_store(request: Request) -> Store:
    """The app's store; 503 while the app is starting or stopping."""
    store = request.app.state.store
    if store is None:
        raise StoreError("the store is not open yet (the server is starting or stopping)")
    return cast(Store, store)


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return cast(Settings, request.app.state.settings)


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def check_batch(size: int, limit: int) -> None:
    """Refuse a batch over ``serve.max_batch`` rows."""
    if size > limit:
        raise TooLarge(
            f"a batch of {size} rows is over the limit of {limit}; split it into smaller "
            "batches (or raise serve.max_batch)"
        )


def _catalog_write(request: Request) -> Iterator[None]:
    """After a catalog write succeeds, tell live search to re-index (not after a failure)."""
    yield
    live = getattr(request.app.state, "search", None)
    if live is not None:
        live.catalog_changed()
    recommend = getattr(request.app.state, "recommend", None)
    if recommend is not None:
        recommend.refresh()


CatalogWrite = Annotated[None, Depends(_catalog_write)]
