"""Search analytics on a tiny shop: top queries with click rates, zero-result queries with
their fix (a reformulation, a near catalog word, a missing product), many results and no
clicks; counts logged by the shop or found by running the query again; CLI and route."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from shopmind.catalog import Product
from shopmind.cli import main
from shopmind.config import Settings
from shopmind.events.models import Event
from shopmind.insight.eventlog import read_log
from shopmind.insight.searches import engine_runner, search_report
from shopmind.search import SearchEngine
from shopmind.serve import create_app
from shopmind.store import Store
from tests.serve.test_search_api import TestClient

T0 = 1_717_200_000.0

PRODUCTS = [
    Product(id="p1", title="Desk lamp", category="Home > Lighting", price=20.0),
    Product(id="p2", title="Yoga mat", category="Sports > Fitness", price=25.0),
    Product(id="p3", title="Running shoes", category="Sports > Running", price=80.0),
    Product(id="p4", title="Sofa bed", category="Home > Furniture", price=400.0),
]


def session(n: int, *steps: tuple[str, Any, str | None]) -> list[Event]:
    """Events of session ``n``: (type, query or item, logged result count)."""
    out = []
    for i, (kind, what, results) in enumerate(steps):
        search = kind == "search"
        out.append(
            Event(
                type=kind,
                user_id=f"u{n}",
                session_id=f"s{n}",
                query=what if search else None,
                item_id=None if search else what,
                timestamp=T0 + n * 3_600 + i * 30,
                context={"results": results} if results is not None else {},
            )
        )
    return out


def shop_events(logged: bool = True) -> list[Event]:
    def s(query: str, results: str) -> tuple[str, Any, str | None]:
        return ("search", query, results if logged else None)

    return [
        *session(1, s("lamp", "12"), ("click", "p1", None), ("view", "p1", None)),
        *session(2, s("Lamp ", "12"), ("click", "p1", None), ("cart", "p1", None)),
        *session(3, s("lamp", "12"), ("click", "p1", None)),
        *session(4, s("shoes", "40"), ("view", "p3", None)),
        *session(5, s("shoes", "40")),
        *session(6, s("shoes", "40")),
        *session(7, s("couch", "0"), s("sofa", "5"), ("click", "p4", None)),
        *session(8, s("couch", "0"), s("sofa", "5")),
        *session(9, s("yoga matt", "0")),
        *session(10, s("yoga matt", "0")),
        *session(11, s("kayak", "0")),
    ]


@pytest.fixture
def shop(store: Store) -> Store:
    store.upsert_products(PRODUCTS)
    store.add_events(shop_events())
    return store


def test_top_queries_and_what_to_fix(shop: Store) -> None:
    report = search_report(read_log(shop), PRODUCTS, top=10, min_searches=3).as_dict()
    assert report["searches"] == 13 and report["queries"] == 6
    assert report["results_from"] == {"logged": 6}
    top = {q["query"]: q for q in report["top"]}
    assert [q["query"] for q in report["top"]] == [
        "lamp", "shoes", "couch", "sofa", "yoga matt", "kayak",
    ]  # fmt: skip
    assert top["lamp"] == {
        "query": "lamp", "searches": 3, "visitors": 3, "click_rate": 1.0,
        "cart_rate": 0.3333, "results": 12, "results_from": "logged",
    }  # fmt: skip
    assert top["shoes"]["click_rate"] == 0.0  # a view is not a click on a result
    assert top["couch"]["click_rate"] == 0.0  # the click followed the next search
    assert top["sofa"]["click_rate"] == 0.5

    fixes = {z["query"]: z["fix"] for z in report["zero_results"]}
    assert list(fixes) == ["couch", "yoga matt", "kayak"]
    assert fixes["couch"]["kind"] == "synonym" and fixes["couch"]["synonym"] == ["couch", "sofa"]
    assert fixes["couch"]["text"].startswith('add a synonym "couch" -> "sofa"')
    assert fixes["yoga matt"]["synonym"] == ["matt", "mat"]
    assert fixes["kayak"]["kind"] == "missing product"
    assert fixes["kayak"]["text"].startswith('missing product: consider stocking "kayak"')

    assert [q["query"] for q in report["no_clicks"]] == ["shoes"]
    assert report["no_clicks"][0]["fix"]["kind"] == "relevance"
    assert report["no_clicks"][0]["fix"]["text"].startswith("relevance: check the top results")
    assert report["rising"] == []


def test_unlogged_counts_come_from_running_the_query_again(store: Store) -> None:
    store.upsert_products(PRODUCTS)
    store.add_events(shop_events(logged=False))
    log = read_log(store)
    unknown = search_report(log, PRODUCTS)
    assert unknown.zero_results == [] and unknown.results_from == {"unknown": 6}
    assert "result counts are unknown" in unknown.notes[0]

    runner = engine_runner(SearchEngine.from_products(PRODUCTS))
    report = search_report(log, PRODUCTS, runner, many=1).as_dict()
    assert report["results_from"] == {"search engine": 6}
    zero = {z["query"]: z["fix"]["kind"] for z in report["zero_results"]}
    assert zero == {"couch": "synonym", "kayak": "missing product"}
    lamp = next(q for q in report["top"] if q["query"] == "lamp")
    assert lamp["results"] >= 1
    shoes = next(q for q in report["no_clicks"] if q["query"] == "shoes")
    assert shoes["fix"]["products"] == ["p3"]  # the top result to check
    assert "(p3)" in shoes["fix"]["text"]


def test_cli_and_route(shop: Store, settings: Settings) -> None:
    out = CliRunner().invoke(
        main, ["--home", str(settings.home), "analyze", "searches", "--many", "10", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output.strip().splitlines()[-1])
    assert [z["query"] for z in data["zero_results"]] == ["couch", "yoga matt", "kayak"]
    text = CliRunner().invoke(main, ["--home", str(settings.home), "analyze", "searches"]).output
    assert 'add a synonym "couch" -> "sofa"' in text
    with TestClient(create_app(settings)) as client:
        got = client.get("/insight/searches", params={"many": 10})
        assert got.status_code == 200, got.text
        assert got.json() == data
        assert client.get("/insight/searches", params={"top": 0}).status_code == 422
