"""``/campaigns`` and ad clicks over the real app: a real SQLite store, book and TestClient."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from shopmind.ads import AdServer
from shopmind.config import Settings
from shopmind.insight.segments import Segments, segments_path
from shopmind.serve import create_app

from .conftest import NOON, PRODUCTS

with warnings.catch_warnings():
    # starlette's TestClient warns once at import when it falls back to httpx (see
    # tests/serve/test_api.py); only that warning is silenced, only while importing
    warnings.filterwarnings(
        "ignore",
        message="Using `httpx` with `starlette.testclient`",
        category=StarletteDeprecationWarning,
    )
    from fastapi.testclient import TestClient

CAMPAIGN: dict[str, Any] = {
    "name": "Spring earbuds",
    "advertiser": "SonicArc",
    "products": ["e1", "e4"],
    "bid": 0.5,
    "daily_budget": 20.0,
    "keywords": ["earbuds"],
    "start": "2026-03-01T00:00:00Z",
}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        rows = [p.model_dump(mode="json", exclude_none=True) for p in PRODUCTS]
        assert c.post("/products/batch", json={"products": rows}).status_code == 200
        assert c.app.state.search.wait(60)  # type: ignore[attr-defined]
        yield c


def _ads(client: TestClient) -> AdServer:
    server: AdServer = client.app.state.ads  # type: ignore[attr-defined]
    return server


def test_create_list_read_pause_and_resume(client: TestClient) -> None:
    created = client.post("/campaigns", json=CAMPAIGN)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"] == 1 and body["status"] == "active" and body["created"]
    assert body["products"] == ["e1", "e4"] and body["bid"] == 0.5
    assert [c["name"] for c in client.get("/campaigns").json()] == ["Spring earbuds"]
    assert client.get("/campaigns/1").json() == body
    missing = client.get("/campaigns/7")
    assert missing.status_code == 404 and "campaign 7" in missing.json()["message"]
    paused = client.patch("/campaigns/1", json={"status": "paused"})
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert client.get("/campaigns/1").json()["status"] == "paused"
    assert client.patch("/campaigns/1", json={"status": "active"}).json()["status"] == "active"
    assert client.patch("/campaigns/7", json={"status": "active"}).status_code == 404
    bad = client.patch("/campaigns/1", json={"status": "stopped"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    other = client.patch("/campaigns/1", json={"bid": 9})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "bid"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"bid": -0.5}, "bid", "greater than 0"),
        ({"bid": 0}, "bid", "greater than 0"),
        ({"bid": 1e13}, "bid", "less than or equal to 10000"),  # overflowed the ledger before
        ({"end": "2026-02-01T00:00:00Z"}, "end", "not after the start"),
        ({"products": ["e1", "nope-1", "nope-2"]}, "products", "nope-1, nope-2"),
        ({"daily_budget": 0.4}, "daily_budget", "below one click"),
        ({"products": []}, "products", "at least 1"),
        ({"colour": "red"}, "colour", "not permitted"),
    ],
)
def test_bad_campaigns_are_refused_naming_the_field(
    client: TestClient, change: dict[str, Any], field: str, words: str
) -> None:
    response = client.post("/campaigns", json={**CAMPAIGN, **change})
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input"
    [error] = body["errors"]
    assert error["field"] == field
    assert words in error["problem"]
    assert error["fix"]
    assert client.get("/campaigns").json() == []  # nothing stored


def test_an_ad_click_event_is_charged_once_and_reported(client: TestClient) -> None:
    campaign = client.post("/campaigns", json=CAMPAIGN).json()
    ads = _ads(client)
    [hit] = ads.place(
        placement="search", visitor="u1", query="earbuds", organic=[], slots=[1], now=NOON
    )
    click = {
        "event_id": "click-1",
        "user_id": "u1",
        "item_id": hit.product,
        "type": "ad_click",
        "timestamp": "2026-03-02T12:00:05Z",
        "context": {"ad": hit.token},
    }
    assert client.post("/events", json=click).status_code == 202
    again = {**click, "event_id": "click-2"}  # a second click on the same ad
    assert client.post("/events/batch", json={"events": [again]}).status_code == 202
    # the click is charged at the server's time, whatever time the client wrote (a client
    # must not move a charge to another day's budget); the purchase follows it, stamped now
    buy = {"user_id": "u1", "item_id": hit.product, "type": "purchase", "value": 45.0}
    assert client.post("/events", json=buy).status_code == 202
    report = client.get(f"/campaigns/{campaign['id']}/report")
    assert report.status_code == 200
    assert report.json() == {
        "campaign": campaign["id"],
        "impressions": 1,
        "clicks": 1,
        "ctr": 1.0,
        "spend": hit.price,
        "conversions": 1,
        "revenue": 45.0,
        "roas": pytest.approx(45.0 / hit.price),
    }
    assert client.get("/campaigns/9/report").status_code == 404
    kinds = [e["type"] for e in client.get("/events", params={"visitor": "u1"}).json()]
    assert sorted(kinds) == ["ad_click", "ad_click", "ad_impression", "purchase"]


def test_the_book_lives_in_the_home(client: TestClient, settings: Settings) -> None:
    assert _ads(client).book.path == settings.home / "ads.sqlite"
    assert (settings.home / "ads.sqlite").is_file()


def test_segment_targeting_from_the_saved_segments(client: TestClient, settings: Settings) -> None:
    targeted = {**CAMPAIGN, "segments": ["frequent, high spend"]}
    early = client.post("/campaigns", json=targeted)
    assert early.status_code == 422  # no segments saved yet
    [error] = early.json()["errors"]
    assert error["field"] == "segments" and "analyze segments" in error["fix"]
    report = {
        "segments": [
            {"segment": 0, "name": "frequent, high spend", "visitors": 1},
            {"segment": 1, "name": "one-off, low spend", "visitors": 1},
        ]
    }
    Segments(report, {"u-loyal": 0, "u-once": 1}).save(segments_path(settings.home))
    typo = client.post("/campaigns", json={**targeted, "segments": ["frequent"]})
    assert typo.status_code == 422
    assert "one-off, low spend" in typo.json()["errors"][0]["fix"]  # names the known ones
    made = client.post("/campaigns", json={**targeted, "segments": ["Frequent, High Spend"]})
    assert made.status_code == 201, made.text

    loyal = _ads(client).place(
        placement="search", visitor="u-loyal", query="earbuds", organic=[], slots=[1], now=NOON
    )
    assert len(loyal) == 1
    assert loyal[0].reasons.find("targeting: keyword: earbuds; segment: frequent, high spend")
    for other in ("u-once", "a-stranger", None):
        assert (
            _ads(client).place(
                placement="search", visitor=other, query="earbuds", organic=[], slots=[1], now=NOON
            )
            == []
        )
