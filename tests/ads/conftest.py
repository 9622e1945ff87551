"""A tiny real shop for the ad tests: products in a SQLite store, a hybrid engine over them
(the deterministic hashing encoder), a campaign book in tmp_path and an ad server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shopmind.ads import AdServer, Campaign, CampaignBook, CampaignIn, EngineQuality
from shopmind.catalog import Product
from shopmind.config import AdsConfig
from shopmind.embed import HashingEncoder
from shopmind.search import SearchEngine
from shopmind.store import Store

START = datetime(2026, 3, 1, tzinfo=UTC)
NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)  # half of the UTC day has passed

PRODUCTS = [
    Product(id="e1", title="Wireless Earbuds X1", category="Electronics > Audio > Headphones",
            price=50.0, brand="SonicArc"),
    Product(id="e2", title="Bluetooth Headphones BT100",
            category="Electronics > Audio > Headphones", price=80.0),
    Product(id="e3", title="Noise Cancelling Headphones NC700",
            category="Electronics > Audio > Headphones", price=200.0),
    Product(id="e4", title="Sports Earbuds Run", category="Electronics > Audio > Headphones",
            price=40.0),
    Product(id="c1", title="Non-Stick Frying Pan 10-inch", category="Home & Kitchen > Cookware",
            price=30.0),
    Product(id="c2", title="Cast Iron Skillet 12-inch", category="Home & Kitchen > Cookware",
            price=45.0),
    Product(id="z1", title="蓝牙耳机 Air", category="Electronics > Audio > Headphones",
            price=199.0),
    Product(id="o1", title="Wireless Earbuds Lite", category="Electronics > Audio > Headphones",
            price=30.0, stock=0),
]  # fmt: skip


def campaign_in(**fields: Any) -> CampaignIn:
    """A valid campaign, with ``fields`` changed."""
    base: dict[str, Any] = {
        "name": "Spring",
        "advertiser": "SonicArc",
        "products": ["e1"],
        "bid": 1.0,
        "daily_budget": 100.0,
        "start": START,
    }
    return CampaignIn.model_validate({**base, **fields})


@pytest.fixture
def shop(store: Store) -> Store:
    """The test store holding the tiny catalog."""
    store.upsert_products(PRODUCTS)
    return store


@pytest.fixture
def engine() -> SearchEngine:
    """A hybrid engine over the catalog (hashing vectors: texts sharing sub-words are close)."""
    return SearchEngine.from_products(PRODUCTS, encoder=HashingEncoder())


@pytest.fixture
def book(tmp_path: Path) -> Iterator[CampaignBook]:
    b = CampaignBook(tmp_path / "ads.sqlite")
    yield b
    b.close()


MakeServer = Callable[..., AdServer]


@pytest.fixture
def make_server(shop: Store, book: CampaignBook, engine: SearchEngine) -> MakeServer:
    """An ad server over the shop, with ``AdsConfig`` fields given as keywords."""

    def make(**config: Any) -> AdServer:
        quality = EngineQuality(lambda: engine, shop)
        return AdServer(book, shop, AdsConfig(**config), quality)

    return make


AddCampaign = Callable[..., Campaign]


@pytest.fixture
def add_campaign(book: CampaignBook) -> AddCampaign:
    """Store a campaign made by :func:`campaign_in`."""

    def add(**fields: Any) -> Campaign:
        return book.add_campaign(campaign_in(**fields), now=START)

    return add
