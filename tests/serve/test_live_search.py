"""Search follows catalog writes over HTTP without ``shopmind build`` (live re-index)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.build import run_build
from shopmind.config import Settings, load
from shopmind.search.live import LiveSearch
from shopmind.serve import create_app
from shopmind.store import Store
from tests.contract.store_contract import product

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    (settings.home / "shopmind.toml").write_text(
        '[ingest]\nprogress = false\n[search]\nencoder = "hashing"\n'
    )
    hashing = load(home=settings.home)
    store.upsert_products([product("a", title="Oakly Sofa"), product("b", title="Desk Lamp")])
    run_build(store, hashing.home, hashing.events, search=hashing.search)
    with TestClient(create_app(hashing)) as c:
        yield c


def _live(client: TestClient) -> LiveSearch:
    live = client.app.state.search  # type: ignore[attr-defined]
    assert isinstance(live, LiveSearch)
    return live


def _ids(client: TestClient, q: str) -> list[str]:
    assert _live(client).wait(30), "the re-index did not finish"
    r = client.get("/search", params={"q": q})
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return [h["id"] for h in data["hits"]]


def test_added_changed_and_deleted_products_are_searchable_at_once(client: TestClient) -> None:
    assert _ids(client, "kettle") == []
    assert client.post("/products", json={"id": "k", "title": "Glass Kettle"}).status_code == 201
    assert _ids(client, "kettle") == ["k"]
    assert client.patch("/products/k", json={"title": "Steel Teapot"}).status_code == 200
    assert _ids(client, "teapot") == ["k"]
    assert "k" not in _ids(client, "kettle")
    assert client.delete("/products/k").status_code == 204
    assert "k" not in _ids(client, "teapot")
    batch = {"products": [{"id": "m", "title": "Yoga Mat"}, {"id": "n", "title": "Yoga Block"}]}
    assert client.post("/products/batch", json=batch).status_code == 200
    assert set(_ids(client, "yoga")) == {"m", "n"}


def test_the_new_engine_keeps_dense_retrieval_with_the_same_encoder(client: TestClient) -> None:
    assert _live(client).engine.dense is not None
    client.post("/products", json={"id": "k", "title": "Glass Kettle"})
    _ids(client, "kettle")
    engine = _live(client).engine
    assert engine.dense is not None
    assert engine.dense.encoder.name == "hashing-256"
    assert engine.dense.vectors.ids == engine.index.ids
    assert "k" in engine.index.ids


def test_a_refused_write_does_not_reindex(client: TestClient) -> None:
    live = _live(client)
    before = live.generation
    assert client.post("/products", json={"id": "x", "title": ""}).status_code == 422
    assert client.delete("/products/nope").status_code == 404
    assert live.wait(30)
    assert live.generation == before
