"""The HTTP API in-process: a real app over a real SQLite file, driven by TestClient."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.config import Settings, load
from shopmind.serve import create_app
from shopmind.store import LATEST_VERSION

with warnings.catch_warnings():
    # starlette's TestClient prefers the httpx2 package and warns once at import when it
    # falls back to httpx (the project's dev dependency); the fallback works. Only this
    # one warning is silenced, and only while importing.
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient


def _product(pid: str, **fields: Any) -> dict[str, Any]:
    return {"id": pid, "title": f"Product {pid}", "price": 10.0, **fields}


def _event(i: int, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "user_id": f"u{i % 3}",
        "item_id": f"p{i % 5}",
        "type": "view",
        "timestamp": f"2025-03-01T12:{i % 60:02d}:00Z",
    }
    return {**base, **fields}


def _make_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    yield from _make_client(settings)


@pytest.fixture
def small_limits(tmp_path: Path) -> Settings:
    """Settings with a batch limit of 5 rows and a body limit of 2 KiB."""
    home = tmp_path / "small"
    home.mkdir()
    (home / "shopmind.toml").write_text(
        "[ingest]\nprogress = false\n\n[serve]\nmax_batch = 5\nmax_body_bytes = 2048\n"
        "max_page_size = 3\n",
        encoding="utf-8",
    )
    return load(home=home)


@pytest.fixture
def small_client(small_limits: Settings) -> Iterator[TestClient]:
    yield from _make_client(small_limits)


def _stats(client: TestClient) -> dict[str, Any]:
    response = client.get("/stats")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def _seed(client: TestClient, n: int = 5) -> None:
    response = client.post(
        "/products/batch", json={"products": [_product(f"p{i}") for i in range(n)]}
    )
    assert response.status_code == 200, response.text


# -- health -----------------------------------------------------------------------------------
def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_ready(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["detail"]["schema_version"] == LATEST_VERSION
    assert body["detail"]["products"] == 0


def test_ready_before_startup_is_503(settings: Settings) -> None:
    client = TestClient(create_app(settings))  # not entered: the lifespan has not run
    assert client.get("/ready").status_code == 503
    response = client.get("/products")
    assert response.status_code == 503
    assert response.json()["error"] == "store_unavailable"


def test_store_file_is_in_the_home(client: TestClient, settings: Settings) -> None:
    assert (settings.home / "shopmind.db").is_file()


def test_openapi_lists_the_routes(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/health",
        "/ready",
        "/stats",
        "/products",
        "/products/batch",
        "/products/{product_id}",
        "/events",
        "/events/batch",
    ):
        assert path in paths, path
    assert {"get", "put", "patch", "delete"} <= set(paths["/products/{product_id}"])
    assert client.get("/docs").status_code == 200


# -- products ---------------------------------------------------------------------------------
def test_post_product_creates_then_replaces(client: TestClient) -> None:
    created = client.post("/products", json=_product("a1", title="无线耳机 降噪 黑色"))
    assert created.status_code == 201
    assert created.json()["inserted"] == 1
    replaced = client.post("/products", json=_product("a1", title="蓝牙耳机 运动版", price=99))
    assert replaced.status_code == 200
    assert replaced.json() == {"inserted": 0, "updated": 1, "duplicates": 0, "quality": {}}
    got = client.get("/products/a1")
    assert got.status_code == 200
    body = got.json()
    assert body["title"] == "蓝牙耳机 运动版"
    assert body["price"] == 99.0
    assert body["language"] == "zh"
    assert _stats(client)["products"] == 1


def test_unknown_product_is_404(client: TestClient) -> None:
    response = client.get("/products/nope-42")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert "nope-42" in body["message"]
    assert body["errors"] == []


def test_invalid_product_is_422(client: TestClient) -> None:
    response = client.post("/products", json={"id": "x1", "price": -1})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    fields = {e["field"] for e in body["errors"]}
    assert {"price", "title"} <= fields
    assert all(e["row"] == 1 for e in body["errors"])
    assert all(e["fix"] for e in body["errors"])
    assert client.get("/products/x1").status_code == 404


def test_put_with_mismatching_id_is_409(client: TestClient) -> None:
    response = client.put("/products/a1", json=_product("b2"))
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict"
    assert "b2" in body["message"] and "a1" in body["message"]
    assert client.get("/products/a1").status_code == 404
    assert client.get("/products/b2").status_code == 404


def test_put_creates_and_replaces(client: TestClient) -> None:
    first = client.put("/products/a1", json=_product("a1", brand="Acme"))
    assert first.status_code == 200
    assert first.json()["inserted"] == 1
    second = client.put("/products/a1", json=_product("a1"))
    assert second.json()["updated"] == 1
    assert client.get("/products/a1").json()["brand"] is None  # a full replace


def test_patch_changes_only_given_fields(client: TestClient) -> None:
    client.post(
        "/products",
        json=_product("a1", title="Wireless Earbuds", attributes={"color": "black", "size": "M"}),
    )
    response = client.patch("/products/a1", json={"price": 19.9, "attributes": {"color": "red"}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["price"] == 19.9
    assert body["title"] == "Wireless Earbuds"
    assert body["attributes"] == {"color": "red", "size": "M"}
    assert client.get("/products/a1").json() == body


def test_patch_with_negative_price_is_422(client: TestClient) -> None:
    client.post("/products", json=_product("a1", price=5))
    response = client.patch("/products/a1", json={"price": -3})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["errors"][0]["row"] == 1
    assert body["errors"][0]["field"] == "price"
    assert "price" in body["message"]
    assert client.get("/products/a1").json()["price"] == 5.0


def test_patch_cannot_remove_the_title_or_add_unknown_fields(client: TestClient) -> None:
    client.post("/products", json=_product("a1"))
    no_title = client.patch("/products/a1", json={"title": None})
    assert no_title.status_code == 422
    assert no_title.json()["errors"][0]["field"] == "title"
    unknown = client.patch("/products/a1", json={"colour": "red"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "colour"
    assert client.get("/products/a1").json()["title"] == "Product a1"


def test_patch_unknown_product_is_404(client: TestClient) -> None:
    response = client.patch("/products/ghost", json={"price": 3})
    assert response.status_code == 404
    assert "ghost" in response.json()["message"]


def test_delete_product(client: TestClient) -> None:
    client.post("/products", json=_product("a1"))
    response = client.delete("/products/a1")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get("/products/a1").status_code == 404
    again = client.delete("/products/a1")
    assert again.status_code == 404
    assert again.json()["error"] == "not_found"


def test_product_batch(client: TestClient) -> None:
    _seed(client, 4)
    response = client.post(
        "/products/batch", json={"products": [_product("p3", price=1), _product("p9")]}
    )
    assert response.status_code == 200
    assert response.json()["inserted"] == 1
    assert response.json()["updated"] == 1
    assert _stats(client)["products"] == 5


def test_product_batch_with_an_invalid_row_stores_nothing(client: TestClient) -> None:
    batch = [_product("q1"), _product("q2"), {"id": "q3", "title": "Bad", "price": "cheap"}]
    response = client.post("/products/batch", json={"products": batch})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["row"] == 3
    assert errors[0]["field"] == "price"
    assert _stats(client)["products"] == 0


def test_list_products_pagination(client: TestClient) -> None:
    _seed(client, 5)
    response = client.get("/products", params={"offset": 1, "limit": 2})
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 5
    assert page["offset"] == 1
    assert page["limit"] == 2
    assert [p["id"] for p in page["items"]] == ["p1", "p2"]
    tail = client.get("/products", params={"offset": 4, "limit": 10}).json()
    assert [p["id"] for p in tail["items"]] == ["p4"]
    assert client.get("/products", params={"limit": 0}).status_code == 422
    assert client.get("/products", params={"offset": -1}).status_code == 422


def test_list_products_category_subtree(client: TestClient) -> None:
    products = [
        _product("c1", category="Electronics > Audio > Headphones"),
        _product("c2", category="Electronics/Phones"),
        _product("c3", category="Electronics"),
        _product("c4", category="Electronics Outlet"),
        _product("c5", category="Home & Kitchen > Cookware"),
        _product("c6", category="Electronics_X > Audio"),
    ]
    client.post("/products/batch", json={"products": products})
    page = client.get("/products", params={"category": "Electronics"}).json()
    assert page["total"] == 3
    assert [p["id"] for p in page["items"]] == ["c1", "c2", "c3"]
    audio = client.get("/products", params={"category": "Electronics > Audio"}).json()
    assert [p["id"] for p in audio["items"]] == ["c1"]


def test_page_size_is_capped(small_client: TestClient) -> None:
    _seed(small_client, 5)
    page = small_client.get("/products", params={"limit": 100}).json()
    assert page["limit"] == 3
    assert len(page["items"]) == 3
    assert page["total"] == 5


# -- events -----------------------------------------------------------------------------------
def test_post_single_event_fills_the_timestamp(client: TestClient) -> None:
    _seed(client)
    response = client.post("/events", json={"user_id": "u1", "item_id": "p1", "type": "view"})
    assert response.status_code == 202
    assert response.json()["inserted"] == 1
    stored = client.get("/events", params={"visitor": "u1"}).json()
    assert len(stored) == 1
    assert stored[0]["item_id"] == "p1"
    assert stored[0]["ts"] is not None
    assert stored[0]["ts"] > 1_700_000_000


def test_post_event_keeps_an_epoch_timestamp(client: TestClient) -> None:
    event = {"user_id": "u7", "item_id": "p1", "type": "purchase", "value": 2, "timestamp": 1.7e9}
    assert client.post("/events", json=event).status_code == 202
    stored = client.get("/events", params={"visitor": "u7"}).json()
    assert stored[0]["ts"] == 1_700_000_000.0
    assert stored[0]["value"] == 2.0


def test_post_event_for_an_anonymous_visitor(client: TestClient) -> None:
    response = client.post("/events", json={"session_id": "s9", "item_id": "p1", "type": "cart"})
    assert response.status_code == 202, response.text
    stored = client.get("/events", params={"visitor": "~s9"}).json()
    assert len(stored) == 1
    assert stored[0]["type"] == "cart"
    assert stored[0]["user_id"] is None
    assert stored[0]["session_id"] == "s9"


def test_post_invalid_single_event(client: TestClient) -> None:
    response = client.post("/events", json={"user_id": "u1", "type": "view"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["row"] == 1
    assert body["errors"][0]["field"] == "item_id"
    assert _stats(client)["events"] == 0


def test_event_batch(client: TestClient) -> None:
    _seed(client)
    response = client.post("/events/batch", json={"events": [_event(i) for i in range(20)]})
    assert response.status_code == 202
    assert response.json()["inserted"] == 20
    stats = _stats(client)
    assert stats["events"] == 20
    assert stats["events_by_type"] == {"view": 20}
    assert stats["visitors"] == 3


def test_event_batch_with_invalid_third_row_stores_nothing(client: TestClient) -> None:
    events = [_event(0), _event(1), _event(2, type="teleport"), _event(3)]
    response = client.post("/events/batch", json={"events": events})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_input"
    assert body["errors"][0]["row"] == 3
    assert body["errors"][0]["field"] == "type"
    assert "purchase" in body["errors"][0]["fix"]  # lists the allowed types
    assert "row 3" in body["message"]
    assert _stats(client)["events"] == 0


def test_event_batch_missing_visitor_names_the_field(client: TestClient) -> None:
    events = [_event(0), _event(1), {"item_id": "p1", "type": "view"}]
    response = client.post("/events/batch", json={"events": events})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["row"] == 3
    assert error["field"] == "user_id"
    assert _stats(client)["events"] == 0


def test_event_batch_resent_with_ids_counts_duplicates(client: TestClient) -> None:
    events = [_event(i, event_id=f"ev-{i}") for i in range(8)]
    first = client.post("/events/batch", json={"events": events})
    assert first.json()["inserted"] == 8
    second = client.post("/events/batch", json={"events": events})
    assert second.status_code == 202
    assert second.json()["inserted"] == 0
    assert second.json()["duplicates"] == 8
    mixed = client.post("/events/batch", json={"events": [*events[:2], _event(9, event_id="new")]})
    assert mixed.json() == {
        "inserted": 1,
        "updated": 0,
        "duplicates": 2,
        "quality": mixed.json()["quality"],
    }
    assert _stats(client)["events"] == 9


def test_events_for_unknown_products_are_kept_and_counted(client: TestClient) -> None:
    _seed(client, 2)  # p0, p1
    events = [_event(0, item_id="p0"), _event(1, item_id="zz1"), _event(2, item_id="zz2")]
    response = client.post("/events/batch", json={"events": events})
    assert response.status_code == 202
    assert response.json()["inserted"] == 3
    assert response.json()["quality"]["unknown_item_events"] == 2
    stats = _stats(client)
    assert stats["events"] == 3
    assert stats["unknown_item_events"] == 2


def test_events_newest_first(client: TestClient) -> None:
    stamps = ["2025-03-02T10:00:00Z", "2025-03-05T10:00:00Z", "2025-03-01T10:00:00Z"]
    events = [
        {"user_id": "alice", "item_id": f"p{i}", "type": "view", "timestamp": t}
        for i, t in enumerate(stamps)
    ]
    events.append({"user_id": "bob", "item_id": "p9", "type": "view"})
    client.post("/events/batch", json={"events": events})
    listed = client.get("/events", params={"visitor": "alice"}).json()
    assert [e["item_id"] for e in listed] == ["p1", "p0", "p2"]
    assert all(e["visitor"] == "alice" for e in listed)
    limited = client.get("/events", params={"visitor": "alice", "limit": 1}).json()
    assert [e["item_id"] for e in limited] == ["p1"]
    by_item = client.get("/events", params={"item": "p9"}).json()
    assert [e["visitor"] for e in by_item] == ["bob"]


def test_event_batch_must_not_be_empty(client: TestClient) -> None:
    response = client.post("/events/batch", json={"events": []})
    assert response.status_code == 422


# -- limits -----------------------------------------------------------------------------------
def test_event_batch_over_max_batch_is_413(small_client: TestClient) -> None:
    response = small_client.post("/events/batch", json={"events": [_event(i) for i in range(6)]})
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "payload_too_large"
    assert "max_batch" in body["message"]
    assert _stats(small_client)["events"] == 0
    ok = small_client.post("/events/batch", json={"events": [_event(i) for i in range(5)]})
    assert ok.status_code == 202


def test_product_batch_over_max_batch_is_413(small_client: TestClient) -> None:
    batch = {"products": [_product(f"p{i}") for i in range(6)]}
    response = small_client.post("/products/batch", json=batch)
    assert response.status_code == 413
    assert _stats(small_client)["products"] == 0


def test_body_over_max_body_bytes_is_413(small_client: TestClient) -> None:
    big = _product("big", description="x" * 3000)
    response = small_client.post("/products", json=big)
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "payload_too_large"
    assert "max_body_bytes" in body["message"]
    assert small_client.get("/products/big").status_code == 404
    small = small_client.post("/products", json=_product("small", description="x" * 500))
    assert small.status_code == 201


def test_body_of_exactly_max_body_bytes_is_accepted(small_client: TestClient) -> None:
    def body(size: int, pid: str) -> bytes:
        head = json.dumps(_product(pid, description="")).encode()
        padded = json.dumps(_product(pid, description="z" * (size - len(head)))).encode()
        assert len(padded) == size
        return padded

    headers = {"content-type": "application/json"}
    at_limit = small_client.post("/products", content=body(2048, "edge"), headers=headers)
    assert at_limit.status_code == 201, at_limit.text
    over = small_client.post("/products", content=body(2049, "over"), headers=headers)
    assert over.status_code == 413
    assert small_client.get("/products/over").status_code == 404


def test_chunked_body_over_max_body_bytes_is_413(small_client: TestClient) -> None:
    payload = json.dumps(_product("big", description="y" * 3000)).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 512):
            yield payload[start : start + 512]

    response = small_client.post(
        "/products", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert small_client.get("/products/big").status_code == 404


def test_stats(client: TestClient) -> None:
    _seed(client, 3)
    client.post("/events/batch", json={"events": [_event(i) for i in range(4)]})
    stats = _stats(client)
    assert stats["products"] == 3
    assert stats["events"] == 4
    assert stats["schema_version"] == LATEST_VERSION
    assert stats["build"] is None
    assert isinstance(stats["latest_ingests"], list)


def test_unknown_routes_answer_in_the_same_error_shape(client: TestClient) -> None:
    r = client.get("/no/such/route")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert "/docs" in r.json()["message"]
    r = client.delete("/products")
    assert r.status_code == 405
    assert r.json()["error"] == "method_not_allowed"
