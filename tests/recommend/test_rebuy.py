"""Buy again: repurchase rates learnt from a shop's orders, and what the served lists do with
them (a real SQLite store, the real engine)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from shopmind.catalog import Product
from shopmind.config import EventsConfig, RecommendConfig
from shopmind.events import Event
from shopmind.recommend.engine import RecommendEngine
from shopmind.recommend.rebuy import PRIOR_BUYERS, Rebuy
from shopmind.store import Store

START = datetime(2026, 1, 5, 10, tzinfo=UTC)
QUICK = {"ease": 1.0, "transitions": 0.5, "popular": 0.1, "sequential": 0.0}


def test_rates_are_shrunk_towards_the_shop_and_gate_what_comes_back() -> None:
    # product 0: 4 buyers, all in two orders; product 1: 4 buyers, one order each
    triples = [(f"v{v}", 0, o) for v in range(4) for o in ("a", "b")]
    triples += [(f"v{v}", 1, "a") for v in range(4)]
    rebuy = Rebuy.learn(triples, 3, min_rate=0.3)
    shop = 4 / 8
    assert rebuy.rate[0] == pytest.approx((4 + PRIOR_BUYERS * shop) / (4 + PRIOR_BUYERS))
    assert rebuy.rate[1] == pytest.approx((0 + PRIOR_BUYERS * shop) / (4 + PRIOR_BUYERS))
    assert rebuy.rate[2] == pytest.approx(shop)  # never bought: the shop's own rate
    assert rebuy.rebuyable(0)
    assert not rebuy.rebuyable(1) and not rebuy.rebuyable(2)  # nobody bought them twice
    assert rebuy.orders["v0"] == {0: 2}  # only rebuyable products are kept per visitor
    # newer events raise a count, never add to it; a product not rebuyable stays out
    assert rebuy.counts("v0", {0: {"a", "b", "c"}, 1: {"a"}}) == {0: 3}
    assert rebuy.counts("v0", {0: {"a"}}) == {0: 2}
    scores = rebuy.scores({0: 2})
    assert scores[0] == 1.0 and scores[1:].tolist() == [0.0, 0.0]


def _orders(store: Store) -> None:
    """Twenty customers buy coffee every week and a kettle once; 'beans' goes with coffee."""
    store.upsert_products(
        [
            Product(id="coffee", title="Ground coffee 500 g", category="Grocery"),
            Product(id="beans", title="Coffee beans 1 kg", category="Grocery"),
            Product(id="kettle", title="Electric kettle", category="Kitchen"),
            Product(id="mug", title="Ceramic mug", category="Kitchen"),
        ]
    )
    events = []
    for c in range(20):
        for week in range(4):
            when = START + timedelta(days=7 * week, minutes=c)
            events.append(
                Event(
                    user_id=f"c{c}",
                    session_id=f"o{c}-{week}",
                    item_id="coffee",
                    type="purchase",
                    timestamp=when,
                )
            )
            if c % 2:
                events.append(
                    Event(
                        user_id=f"c{c}",
                        session_id=f"o{c}-{week}",
                        item_id="beans",
                        type="purchase",
                        timestamp=when,
                    )
                )
        events.append(
            Event(
                user_id=f"c{c}",
                session_id=f"k{c}",
                item_id="kettle",
                type="purchase",
                timestamp=START + timedelta(days=1, minutes=c),
            )
        )
        events.append(Event(user_id=f"c{c}", item_id="mug", type="view", timestamp=START))
    store.add_events(events)


def _served(store: Store, buy_again: float, visitor: str = "c0") -> list[str]:
    config = RecommendConfig(weights=QUICK, buy_again=buy_again)
    engine = RecommendEngine.fit(store, EventsConfig(), config)
    mine = store.list_events(visitor=visitor, limit=50, types=engine.history_types)
    return [p.id for p in engine.recommend(mine, k=3)]


def test_what_customers_buy_again_comes_back_with_its_reason(store: Store) -> None:
    _orders(store)
    config = RecommendConfig(weights=QUICK)
    engine = RecommendEngine.fit(store, EventsConfig(), config)
    assert engine.rebuy.rebuyable(engine.row["coffee"])
    assert not engine.rebuy.rebuyable(engine.row["kettle"])
    mine = store.list_events(visitor="c0", limit=50, types=engine.history_types)
    picks = engine.recommend(mine, k=3)
    ids = [p.id for p in picks]
    assert ids[0] == "coffee" and "kettle" not in ids
    again = picks[0].reasons.find("buy again")
    assert again is not None
    assert again.find("you bought it in 4 orders") is not None
    # the old rule: everything bought is left out
    old = _served(store, buy_again=0.0)
    assert "coffee" not in old and "kettle" not in old


def test_a_shop_without_repeat_orders_keeps_bought_products_out(store: Store) -> None:
    store.upsert_products(
        [Product(id=f"p{i}", title=f"Phone case {i}", category="Phones") for i in range(6)]
    )
    store.add_events(
        [
            Event(
                user_id=f"v{v}",
                session_id=f"s{v}",
                item_id=f"p{(v + j) % 6}",
                type="purchase",
                timestamp=START + timedelta(minutes=v),
            )
            for v in range(30)
            for j in range(2)
        ]
    )
    engine = RecommendEngine.fit(store, EventsConfig(), RecommendConfig(weights=QUICK))
    assert not np.any(engine.rebuy.rate > 0)
    mine = store.list_events(visitor="v0", limit=50, types=engine.history_types)
    assert {"p0", "p1"}.isdisjoint(p.id for p in engine.recommend(mine, k=4))
