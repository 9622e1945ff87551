"""Funnels on a tiny shop whose every pair is known: step counts, rates and the
category, source and device breakdowns; the same numbers from the CLI and the route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from shopmind.catalog import Product
from shopmind.cli import main
from shopmind.config import Settings
from shopmind.events.models import Event
from shopmind.insight.eventlog import build_log, read_log
from shopmind.insight.funnels import funnels, source_of_label
from shopmind.serve import create_app
from shopmind.store import Store
from tests.serve.test_search_api import TestClient

T0 = 1_717_200_000.0  # 2024-06-01


def ev(kind: str, item: str | None = None, t: float = 0.0, **kw: Any) -> Event:
    who = {"user_id": kw.pop("user")} if "user" in kw else {}
    return Event(type=kind, item_id=item, timestamp=T0 + t, **who, **kw)


def shop_events() -> list[Event]:
    s1 = {"user": "u1", "session_id": "s1", "context": {"device": "mobile"}}
    s2 = {"user": "u2", "session_id": "s2", "context": {"device": "desktop"}}
    s3 = {"session_id": "s3"}
    s4 = {"user": "u4", "session_id": "s4"}
    return [
        # s1: a search, its result list, then the whole funnel on p1; p2 seen directly
        ev("search", None, 0, query="lamp", **s1),
        ev("impression", "p1", 1, position=1, **s1),
        ev("impression", "p3", 1, position=2, **s1),
        ev("click", "p1", 10, **s1),
        ev("view", "p1", 12, **s1),
        ev("view", "p2", 20, **s1),
        ev("cart", "p1", 30, **s1),
        ev("purchase", "p1", 40, quantity=2, **s1),
        # s2: the shop says the view came from a recommendation list
        ev("view", "p3", 100, user="u2", session_id="s2",
           context={"device": "desktop", "source": "recommendation"}),
        ev("click", "p3", 110, **s2),
        ev("cart", "p3", 120, **s2),
        # s3: an anonymous ad click
        ev("ad_impression", "p2", 200, **s3),
        ev("ad_click", "p2", 210, **s3),
        ev("view", "p2", 220, **s3),
        # s4: a purchase straight from a view (the cart is implied); a later search that
        # lists p1 again does not make the earlier pair a search one
        ev("view", "p1", 300, **s4),
        ev("purchase", "p1", 310, **s4),
        ev("search", None, 320, query="lamp", **s4),
        ev("impression", "p1", 321, position=1, **s4),
    ]  # fmt: skip


PRODUCTS = [
    Product(id="p1", title="Desk lamp", category="Home > Lighting", price=20.0),
    Product(id="p2", title="Floor lamp", category="Home > Lighting", price=60.0),
    Product(id="p3", title="Running shoes", category="Sports > Running", price=80.0),
]


@pytest.fixture
def shop(store: Store) -> Store:
    store.upsert_products(PRODUCTS)
    store.add_events(shop_events())
    return store


EXPECTED: dict[str, Any] = {
    "overall": [5, 4, 3, 2],
    "sessions": [4, 4, 3, 2],
    "by_category": {"Home": [4, 3, 2, 2], "Sports": [1, 1, 1, 0]},
    "by_source": {
        "direct": [2, 1, 1, 1],
        "search": [1, 1, 1, 1],
        "recommendation": [1, 1, 1, 0],
        "ad": [1, 1, 0, 0],
    },
    "by_device": {"unknown": [2, 2, 1, 1], "mobile": [2, 1, 1, 1], "desktop": [1, 1, 1, 0]},
}


def _check(report: dict[str, Any]) -> None:
    assert report["unit"] == "session × product"
    assert report["steps"] == ["view", "click", "cart", "purchase"]
    assert report["overall"]["units"] == EXPECTED["overall"]
    assert report["overall"]["rates"] == [0.8, 0.75, 0.6667]
    assert report["overall"]["conversion"] == 0.4
    assert report["sessions"]["units"] == EXPECTED["sessions"]
    for dim in ("by_category", "by_source", "by_device"):
        assert {k: v["units"] for k, v in report[dim].items()} == EXPECTED[dim], dim
    assert report["by_source"]["ad"]["rates"] == [1.0, 0.0, None]


def test_known_funnel_with_every_breakdown(shop: Store) -> None:
    _check(funnels(read_log(shop), shop.all_products()).as_dict())


def test_cli_and_route_answer_the_same_report(shop: Store, settings: Settings) -> None:
    result = CliRunner().invoke(
        main, ["--home", str(settings.home), "analyze", "funnels", "--json"]
    )
    assert result.exit_code == 0, result.output
    from_cli = json.loads(result.output.strip().splitlines()[-1])
    _check(from_cli)
    assert (
        "by source"
        in CliRunner().invoke(main, ["--home", str(settings.home), "analyze", "funnels"]).output
    )
    with TestClient(create_app(settings)) as client:
        response = client.get("/insight/funnels")
    assert response.status_code == 200, response.text
    assert response.json() == from_cli


def test_events_without_a_session_are_cut_at_30_minute_gaps() -> None:
    events = [
        ev("view", "p1", 0, user="u9"),
        ev("purchase", "p1", 600, user="u9"),  # same visit
        ev("view", "p1", 600 + 3_600, user="u9"),  # an hour later: a new session
    ]
    stored = [_stored(i, e) for i, e in enumerate(events)]
    log = build_log(stored)
    assert log.session.tolist() == [0, 0, 1]
    report = funnels(log, PRODUCTS)
    assert report.overall.units == (2, 1, 1, 1)
    assert report.by_category["Home"].units == (2, 1, 1, 1)


def _stored(seq: int, e: Event) -> Any:
    from shopmind.events.models import StoredEvent

    return StoredEvent(
        seq, None, e.visitor, e.user_id, e.session_id, e.item_id, e.type, e.value, e.query,
        e.position, e.page, e.ts, e.context, e.quantity, e.price,
    )  # fmt: skip


def test_source_labels_map_to_the_four_sources() -> None:
    assert source_of_label("Search") == "search"
    assert source_of_label("similar") == "recommendation"
    assert source_of_label("sponsored") == "ad"
    assert source_of_label("direct") == "direct"
    assert source_of_label("newsletter") == "other"


@pytest.fixture
def empty_client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_an_empty_shop_has_an_empty_funnel(empty_client: TestClient) -> None:
    data = empty_client.get("/insight/funnels").json()
    assert data["overall"] == {"units": [0, 0, 0, 0], "rates": [None, None, None],
                               "conversion": None}  # fmt: skip
    assert data["by_source"] == {} and data["by_device"] == {}
