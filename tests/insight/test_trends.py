"""Trends on a shop with known rises and falls: a significant jump, a small jump that is
not significant, one big order that is no trend, a fall; rising queries; seasonality; the
test itself against scipy; the CLI, ``GET /insight/trends`` and ``/recommend?kind=trending``."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.stats import binom

from shopmind.catalog import Product
from shopmind.cli import main
from shopmind.config import Settings
from shopmind.events.models import Event
from shopmind.insight.eventlog import read_log
from shopmind.insight.seasonality import weekly, yearly
from shopmind.insight.significance import benjamini_hochberg, rate_test
from shopmind.insight.trends import trends
from shopmind.serve import create_app
from shopmind.store import Store
from tests.serve.test_search_api import TestClient

DAY0 = 1_709_553_600.0  # Monday 2024-03-04 12:00 UTC
DAYS = 35  # 28 baseline days, then the 7-day window


def buys(item: str, per_day: dict[int, int], quantity: float | None = None) -> list[Event]:
    return [
        Event(type="purchase", item_id=item, user_id=f"u{day}-{n}", quantity=quantity,
              timestamp=DAY0 + day * 86_400 + n * 60)
        for day, count in per_day.items()
        for n in range(count)
    ]  # fmt: skip


def searches(query: str, per_day: dict[int, int]) -> list[Event]:
    return [
        Event(type="search", query=query, session_id=f"q{day}-{n}",
              timestamp=DAY0 + day * 86_400 + n * 60)
        for day, count in per_day.items()
        for n in range(count)
    ]  # fmt: skip


PRODUCTS = [
    Product(id="A", title="Stunt kite", category="Toys > Kites", price=30.0),
    Product(id="B", title="Vase", category="Home > Decor", price=20.0),
    Product(id="C", title="Candle", category="Home > Decor", price=5.0),
    Product(id="D", title="Rake", category="Garden > Tools", price=25.0),
    Product(id="E", title="Frame", category="Home > Decor", price=15.0),
]


@pytest.fixture
def shop(store: Store) -> Store:
    store.upsert_products(PRODUCTS)
    store.add_events(
        buys("A", {d: 2 if d < 28 else 8 for d in range(DAYS)})  # 4x: significant
        + buys("B", {**{d: 1 for d in range(0, 28, 4)}, 29: 1, 31: 1, 33: 1})  # 1.7x: chance
        + buys("C", {d: 1 for d in range(DAYS)})  # flat
        + buys("D", {d: 4 for d in range(28)})  # stopped selling
        + buys("E", {d: 1 for d in range(0, 28, 3)})
        + buys("E", {30: 1}, quantity=50.0)  # one order of 50 units: no trend
        + searches("kite", {d: 1 if d < 28 else 6 for d in range(DAYS)})
        + searches("vase", {d: 1 for d in range(DAYS)})
    )
    return store


def test_a_significant_jump_a_chance_jump_a_big_order_and_a_fall(shop: Store) -> None:
    report = trends(read_log(shop), shop.all_products())
    assert report.as_of == "2024-04-07" and report.baseline == 28
    rising = {t.key: t for t in report.rising["products"]}
    assert list(rising) == ["A"]
    a = rising["A"]
    assert (a.recent, a.expected, a.ratio) == (56.0, 14.0, 4.0)
    assert a.change_pct == pytest.approx(300.0)
    assert a.q < 1e-6 and a.z > 5
    assert a.weekly == [14.0, 14.0, 14.0, 14.0, 56.0]  # five weeks of history, oldest first
    assert [t.key for t in report.declining["products"]] == ["D"]
    assert report.declining["products"][0].ratio == 0.0
    # B's 3 against 1.75 expected, and E's 50 units in one order, are not trends
    assert report.tested["products"] == 4  # E has too few effective events to test
    assert [t.key for t in report.rising["categories"]] == ["Toys > Kites"]
    assert [t.key for t in report.declining["categories"]] == ["Garden > Tools"]
    assert [t.key for t in report.rising["queries"]] == ["kite"]
    assert report.rising["queries"][0].ratio == pytest.approx(6.0)


def test_units_weigh_but_not_as_independent_events(shop: Store) -> None:
    e = trends(read_log(shop), shop.all_products(), min_events=1).as_dict()
    frames = [t for t in e["rising"]["products"] if t["id"] == "E"]
    assert not frames  # 50 units in one line: a test on effective events does not fire
    b = trends(read_log(shop), shop.all_products(), alpha=1.0).as_dict()  # report all
    chance = next(t for t in b["rising"]["products"] if t["id"] == "B")
    assert chance["recent"] == 3 and chance["expected"] == 1.75 and chance["p"] > 0.05


def test_rate_test_is_the_exact_binomial_test() -> None:
    recent = np.array([30.0, 3.0, 0.0, 10.0])
    base = np.array([40.0, 8.0, 12.0, 40.0])
    t = rate_test(recent, base, window=7, span=28)
    for i in range(4):
        n, r = int(recent[i] + base[i]), int(recent[i])
        assert t.p_up[i] == pytest.approx(binom.sf(r - 1, n, 0.2), rel=1e-6)
        assert t.p_down[i] == pytest.approx(binom.cdf(r, n, 0.2), rel=1e-6)
    assert t.ratio.tolist() == [3.0, 1.5, 0.0, 1.0]
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5]))
    assert q.tolist() == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])


def test_weekday_cycle_is_detected_and_noise_is_not() -> None:
    rng = np.random.default_rng(7)
    first = 19_786  # a Monday (2024-03-04)
    days = np.arange(first, first + 84)
    closed = (days + 3) % 7 == 5  # Saturdays
    cycle = rng.poisson(np.where(closed, 0.5, 20.0)).astype(float)
    found = weekly(cycle, first)
    assert found["detected"] and found["strength"] > 0.5
    assert found["lows"] == ["Sat"] and found["profile"]["Sat"] < 0.1
    noise = weekly(rng.poisson(20.0, 84).astype(float), first)
    assert not noise["detected"]
    assert weekly(np.ones(10), first) == {
        "checked": False, "reason": "needs 28 days of history, has 10"
    }  # fmt: skip
    assert not yearly(cycle, first)["checked"]


def test_cli_route_and_trending_recommendations(shop: Store, settings: Settings) -> None:
    out = CliRunner().invoke(main, ["--home", str(settings.home), "analyze", "trends", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output.strip().splitlines()[-1])
    assert [t["id"] for t in data["rising"]["products"]] == ["A"]
    assert data["seasonality"]["weekly"]["checked"] is True
    text = CliRunner().invoke(main, ["--home", str(settings.home), "analyze", "trends"]).output
    assert "+300%" in text and "Stunt kite" in text
    with TestClient(create_app(settings)) as client:
        assert client.get("/insight/trends").json() == data
        views = client.get("/insight/trends", params={"on": ["view"]}).json()
        assert views["signal"] == ["view"] and views["tested"]["products"] == 0
        assert client.get("/insight/trends", params={"on": "refund"}).status_code == 422
        items = client.get("/recommend", params={"kind": "trending", "k": 5}).json()["items"]
        assert [i["id"] for i in items] == ["A"]
        reason = items[0]["reasons"]["children"][0]
        assert reason["label"] == "trending: +300% vs its baseline" and reason["value"] == 4.0
        none = client.get("/recommend", params={"kind": "trending", "category": "Home"})
        assert none.status_code == 200 and none.json()["items"] == []
        assert client.get("/recommend", params={"kind": "hot"}).status_code == 422
        assert client.get("/recommend").status_code == 422  # a visitor list needs a visitor
