"""shopmind: a self-hosted search and recommendation engine for online shops.

Example::

    from shopmind import load, open_store, ingest_products

    settings = load(home="shop-data")
    with open_store(settings.store_url) as store:
        ingest_products(store, "products.csv", settings.ingest, mapping=["id=product_uid"])
"""

from shopmind.catalog import Product, ProductPatch
from shopmind.config import Settings, load
from shopmind.errors import (
    ConfigError,
    Conflict,
    InvalidFile,
    InvalidInput,
    NotFound,
    RowError,
    SchemaVersionError,
    ShopmindError,
    StoreError,
    TooLarge,
)
from shopmind.events import Event
from shopmind.ingest import IngestReport, ingest_event_batch, ingest_events, ingest_products
from shopmind.store import Store, open_store

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "Conflict",
    "Event",
    "IngestReport",
    "InvalidFile",
    "InvalidInput",
    "NotFound",
    "Product",
    "ProductPatch",
    "RowError",
    "SchemaVersionError",
    "Settings",
    "ShopmindError",
    "Store",
    "StoreError",
    "TooLarge",
    "__version__",
    "ingest_event_batch",
    "ingest_events",
    "ingest_products",
    "load",
    "open_store",
]
