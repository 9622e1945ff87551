"""Storage: the ``Store`` contract, its backends, and ``open_store`` keyed by URL scheme.

Example::

    store = open_store("sqlite:///shop/shopmind.db")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shopmind.config import StoreConfig
from shopmind.errors import StoreError
from shopmind.store.base import (
    ProductPage,
    Store,
    StoreStats,
    VisitorSummary,
    WriteResult,
)
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
    "VisitorSummary",
    "WriteResult",
    "migrate",
    "open_store",
    "register_backend",
]

_BACKENDS: dict[str, Callable[[str, StoreConfig], Store]] = {}


def register_backend(scheme: str, opener: Callable[[str, StoreConfig], Store]) -> None:
    """Make ``open_store`` open URLs of ``scheme`` with ``opener(url_rest, config)``."""
    _BACKENDS[scheme] = opener


def _open_sqlite(rest: str, config: StoreConfig) -> Store:
    return SQLiteStore(
        Path(rest),
        busy_timeout_ms=config.busy_timeout_ms,
        synchronous=config.synchronous,
        cache_mb=config.cache_mb,
    )


register_backend("sqlite", _open_sqlite)


def _open_postgres(rest: str, config: StoreConfig) -> Store:
    from shopmind.store.postgres import PostgresStore

    return PostgresStore(f"postgresql://{rest}", connect_timeout_s=config.connect_timeout_s)


register_backend("postgresql", _open_postgres)
register_backend("postgres", _open_postgres)


def open_store(url: str, config: StoreConfig | None = None) -> Store:
    """Open the store a URL names, e.g. ``sqlite:////abs/shop.db``, ``sqlite:///rel.db`` or
    ``postgresql://user:password@host:5432/shop``.

    Raises:
        StoreError: the scheme is unknown (the message lists the known ones).
    """
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in _BACKENDS:
        known = ", ".join(f"{s}://" for s in sorted(_BACKENDS))
        raise StoreError(f"unknown store URL {url!r}; known schemes: {known}")
    if rest.startswith("/") and scheme == "sqlite":
        rest = rest[1:]  # SQLAlchemy style: sqlite:///relative.db, sqlite:////absolute.db
    return _BACKENDS[scheme](rest, config or StoreConfig())
