"""Storage: the ``Store`` contract, its backends, and ``open_store`` keyed by URL scheme.

Example::

    store = open_store("sqlite:///shop/shopmind.db")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shopmind.errors import StoreError
from shopmind.store.base import ProductPage, Store, StoreStats, WriteResult
from shopmind.store.schema import LATEST_VERSION, MIGRATIONS, Migration, migrate
from shopmind.store.sqlite import SQLiteStore

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "ProductPage",
    "SQLiteStore",
    "Store",
    "StoreStats",
    "WriteResult",
    "migrate",
    "open_store",
    "register_backend",
]

_BACKENDS: dict[str, Callable[[str, int], Store]] = {}


def register_backend(scheme: str, opener: Callable[[str, int], Store]) -> None:
    """Make ``open_store`` open URLs of ``scheme`` with ``opener(url_rest, busy_timeout_ms)``."""
    _BACKENDS[scheme] = opener


register_backend("sqlite", lambda rest, timeout: SQLiteStore(Path(rest), busy_timeout_ms=timeout))


def open_store(url: str, busy_timeout_ms: int = 30_000) -> Store:
    """Open the store a URL names, e.g. ``sqlite:////abs/shop.db`` or ``sqlite:///rel.db``.

    Raises:
        StoreError: the scheme is unknown (the message lists the known ones).
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _BACKENDS:
        known = ", ".join(f"{s}://" for s in sorted(_BACKENDS))
        raise StoreError(f"unknown store URL {url!r}; known schemes: {known}")
    if rest.startswith("/"):
        rest = rest[1:]  # SQLAlchemy style: sqlite:///relative.db, sqlite:////absolute.db
    return _BACKENDS[scheme](rest, busy_timeout_ms)
