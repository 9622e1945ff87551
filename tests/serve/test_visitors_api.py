"""``GET /visitors`` and ``GET /visitors/{visitor}`` over the real demo shop: the most active
visitors and an interest profile whose numbers match counts taken from the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pytest

from shopmind.config import Settings
from shopmind.events.profile import price_band, price_tertiles
from shopmind.serve import create_app
from shopmind.store import SQLiteStore
from tests.serve.test_search_api import TestClient, _demo_home


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return _demo_home(tmp_path_factory.mktemp("visitors-api") / "home")


@pytest.fixture(scope="module")
def client(shop: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(shop)) as c:
        yield c


def _ok(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _stored(shop: Settings) -> tuple[list[Any], dict[str, Any]]:
    """Every stored event and every product, read straight from the store."""
    store = SQLiteStore(shop.home / "shopmind.db")
    try:
        events = [e for batch in store.iter_events() for e in batch]
        products = {p.id: p for p in store.all_products()}
    finally:
        store.close()
    return events, products


def test_visitors_are_the_most_active_first_with_counts_from_the_store(
    shop: Settings, client: TestClient
) -> None:
    found = _ok(client, "/visitors", limit=5)["visitors"]
    assert len(found) == 5
    assert set(found[0]) == {"id", "anonymous", "events", "last_seen"}
    events, _ = _stored(shop)
    counts = Counter(e.visitor for e in events)
    assert [v["events"] for v in found] == sorted(counts.values(), reverse=True)[:5]
    for v in found:
        assert v["events"] == counts[v["id"]]
        newest = max(e.ts for e in events if e.visitor == v["id"] and e.ts is not None)
        assert datetime.fromisoformat(v["last_seen"]).timestamp() == pytest.approx(newest)
    assert len(_ok(client, "/visitors")["visitors"]) == 50  # the default limit


def test_a_profile_shares_sum_to_one_and_match_the_store(
    shop: Settings, client: TestClient
) -> None:
    visitor = _ok(client, "/visitors", limit=1)["visitors"][0]["id"]
    profile = _ok(client, f"/visitors/{visitor}")
    events, products = _stored(shop)
    mine = [e for e in events if e.visitor == visitor]
    assert profile["visitor"] == visitor and profile["events"] == len(mine)
    assert profile["event_types"] == dict(Counter(e.type for e in mine))

    interest = {t for t, w in shop.events.weights.items() if w > 0} | {"more_like_this"}
    liked = [products[e.item_id] for e in mine if e.type in interest and e.item_id in products]
    assert profile["interest_events"] == len(liked)
    expected = {
        "top": Counter(p.category.split(" > ")[0] for p in liked if p.category),
        "leaf": Counter(p.category for p in liked if p.category),
    }
    for level, counts in expected.items():
        shares = profile["categories"][level]
        assert sum(shares.values()) == pytest.approx(1.0)
        total = sum(counts.values())
        assert shares == pytest.approx({c: n / total for c, n in counts.items()})
        assert list(shares.values()) == sorted(shares.values(), reverse=True)  # biggest first
    brands = Counter(p.brand for p in liked if p.brand)
    assert sum(profile["brands"].values()) == pytest.approx(1.0)
    assert profile["brands"] == pytest.approx({b: n / brands.total() for b, n in brands.items()})


def test_a_profile_price_bands_follow_the_category_tertiles(
    shop: Settings, client: TestClient
) -> None:
    visitor = _ok(client, "/visitors", limit=2)["visitors"][1]["id"]
    price = _ok(client, f"/visitors/{visitor}")["price"]
    events, products = _stored(shop)
    tertiles = price_tertiles(products.values())
    interest = {t for t, w in shop.events.weights.items() if w > 0} | {"more_like_this"}
    distinct = {
        e.item_id: products[e.item_id]
        for e in events
        if e.visitor == visitor and e.type in interest and e.item_id in products
    }
    priced = [
        (p.price, p.category)
        for p in distinct.values()
        if p.price is not None and p.category in tertiles
    ]
    bands = Counter(price_band(price, tertiles[leaf]) for price, leaf in priced)
    assert price["bands"] == {b: bands[b] for b in ("cheap", "mid", "premium")}
    assert sum(price["bands"].values()) == len(priced)
    assert price["median"] == pytest.approx(float(np.median([x for x, _ in priced])), abs=0.01)
    for leaf, block in price["categories"].items():
        assert block["band"] in ("cheap", "mid", "premium")
        low, high = tertiles[leaf]
        assert block["tertiles"] == [round(low, 2), round(high, 2)]


def test_a_profile_timeline_is_the_newest_50_events(shop: Settings, client: TestClient) -> None:
    visitor = _ok(client, "/visitors", limit=1)["visitors"][0]["id"]
    timeline = _ok(client, f"/visitors/{visitor}")["timeline"]
    assert len(timeline) == 50
    assert set(timeline[0]) == {"ts", "type", "item", "query", "position"}
    times = [datetime.fromisoformat(t["ts"]) for t in timeline]
    assert times == sorted(times, reverse=True)
    events, products = _stored(shop)
    newest = max(e.ts for e in events if e.visitor == visitor and e.ts is not None)
    assert times[0].timestamp() == pytest.approx(newest)
    for moment in timeline:
        if moment["item"] is not None:
            assert moment["item"]["title"] == products[moment["item"]["id"]].title
    searches = [m for m in timeline if m["type"] == "search"]
    assert all(m["query"] for m in searches)


def test_an_anonymous_visitor_is_addressed_by_tilde_session(client: TestClient) -> None:
    response = client.post(
        "/events",
        json={"session_id": "s-profile", "item_id": "p0001", "type": "cart"},
    )
    assert response.status_code == 202, response.text
    profile = _ok(client, "/visitors/~s-profile")
    assert profile["visitor"] == "~s-profile" and profile["anonymous"] is True
    assert profile["event_types"] == {"cart": 1}
    assert sum(profile["categories"]["leaf"].values()) == pytest.approx(1.0)
    assert profile["timeline"][0]["item"]["id"] == "p0001"


def test_a_visitor_without_events_is_a_404_pointing_to_visitors(client: TestClient) -> None:
    response = client.get("/visitors/u-nobody")
    assert response.status_code == 404
    assert response.json()["message"] == (
        "no events for visitor u-nobody; pick a visitor from /visitors"
    )


@pytest.mark.parametrize("limit", [0, 1001])
def test_a_limit_out_of_range_is_a_422_naming_it(client: TestClient, limit: int) -> None:
    response = client.get("/visitors", params={"limit": limit})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["fix"]) == ("limit", "use a limit from 1 to 1000")
