"""A small bilingual shop with pages and past answers, built once per module: real SQLite,
the real multilingual encoder (USE), the real search engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shopmind.assistant import Assistant, KnowledgeIndex, assistant_encoder
from shopmind.build import open_search, run_build
from shopmind.config import Settings, load
from shopmind.ingest import ingest_answers, ingest_documents, ingest_products
from shopmind.store import SQLiteStore, Store
from tests.assistant.test_generator import endpoint  # noqa: F401  (a real chat endpoint)

DATA = Path(__file__).resolve().parents[1] / "data" / "assistant"
PAGES = [DATA / "returns.md", DATA / "shipping.html", DATA / "退换货.md"]


@pytest.fixture(scope="package")
def shop_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built home: 8 products, 3 pages, 7 past answers."""
    home = tmp_path_factory.mktemp("assistant") / "home"
    home.mkdir()
    (home / "shopmind.toml").write_text('[ingest]\nprogress = false\n[search]\nencoder = "use"\n')
    settings = load(home=home)
    store = SQLiteStore(home / "shopmind.db")
    try:
        ingest_products(store, DATA / "products.csv", settings.ingest)
        ingest_documents(store, PAGES, settings.ingest)
        ingest_answers(store, DATA / "qa.csv", settings.ingest)
        run_build(store, home, settings.events, search=settings.search)
    finally:
        store.close()
    return home


@pytest.fixture
def shop_settings(shop_home: Path) -> Settings:
    return load(home=shop_home)


@pytest.fixture
def shop_store(shop_settings: Settings) -> Iterator[Store]:
    store = SQLiteStore(shop_settings.home / "shopmind.db")
    yield store
    store.close()


@pytest.fixture
def assistant(shop_settings: Settings, shop_store: Store) -> Assistant:
    """A fresh assistant (its own conversations) over the built shop."""
    engine = open_search(shop_settings.home, shop_store, shop_settings.search)
    encoder = assistant_encoder(shop_settings.assistant, engine)
    knowledge = KnowledgeIndex.from_store(shop_store, encoder)
    return Assistant(shop_store, engine, knowledge, shop_settings.assistant)
