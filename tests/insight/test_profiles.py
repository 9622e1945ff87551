"""Visitor profiles on a tiny shop with a known answer: RFM numbers, lifecycle stages,
sessions split by the 30-minute rule, interest clusters named by their words; then the
route (200, 404) and the CLI's JSON over the same real SQLite home."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from shopmind.catalog import Product
from shopmind.cli import main
from shopmind.config import Settings
from shopmind.events import Event
from shopmind.insight.interests import cluster_products
from shopmind.insight.profilebook import ProfileBook, profiles_path
from shopmind.insight.profiles import build_profiles, interest_types
from shopmind.insight.profileview import profile_json
from shopmind.serve import create_app
from shopmind.store import Store

T0 = datetime(2025, 1, 1, tzinfo=UTC)
PRODUCTS = [
    Product(id="P1", title="Blue Tea Mug", price=10.0, category="Kitchen > Mugs", brand="Cosy"),
    Product(id="P2", title="Green Tea Cup", price=12.0, category="Kitchen > Mugs", brand="Cosy"),
    Product(
        id="P3", title="Trail Running Shoe", price=80.0, category="Sport > Shoes", brand="Fleet"
    ),
    Product(
        id="P4", title="Road Running Shoe", price=90.0, category="Sport > Shoes", brand="Fleet"
    ),
]


def at(day: float, hour: int = 10, minute: int = 0) -> datetime:
    return T0 + timedelta(days=day, hours=hour, minutes=minute)


def ev(visitor: str, item: str, kind: str, when: datetime, **extra: Any) -> Event:
    return Event(user_id=visitor, item_id=item, type=kind, timestamp=when, **extra)


EVENTS = [
    # u1: one visit with a purchase (the last gap is exactly 30 minutes: same session) ...
    ev("u1", "P1", "view", at(0, 10, 0)),
    ev("u1", "P1", "cart", at(0, 10, 10)),
    ev("u1", "P1", "purchase", at(0, 10, 40), quantity=2, price=10.0, session_id="o1"),
    # ... 31 minutes later: a new session
    ev("u1", "P3", "view", at(0, 11, 11)),
    ev("u1", "P3", "purchase", at(10), quantity=1, price=80.0, session_id="o2"),
    ev("u1", "P1", "purchase", at(12), quantity=-1, price=10.0, session_id="o3"),  # a return
    # u2: first seen at the end, paid 12 (value, no quantity or price)
    ev("u2", "P2", "purchase", at(45), value=12.0, session_id="o4"),
    # u3: no price at all: the catalog's price x quantity
    ev("u3", "P4", "purchase", at(-60), quantity=2, session_id="o5"),
    # u4: views only, first 40 and last 20 days ago
    ev("u4", "P2", "view", at(5)),
    ev("u4", "P2", "view", at(25)),
]


def _load(store: Store) -> None:
    store.upsert_products(PRODUCTS)
    store.add_events(EVENTS)


@pytest.fixture
def built(settings: Settings, store: Store) -> ProfileBook:
    _load(store)
    book = build_profiles(store, settings.profiles, settings.events, progress=False)
    book.save(profiles_path(settings.home))
    return book


def _profile(settings: Settings, store: Store, book: ProfileBook, visitor: str) -> dict[str, Any]:
    events = store.list_events(visitor=visitor, limit=1_000)
    products = store.get_products(sorted({e.item_id for e in events if e.item_id}))
    return profile_json(visitor, events, products, book, interest_types(settings.events))


def test_rfm_numbers_are_the_hand_counted_ones(
    settings: Settings, store: Store, built: ProfileBook
) -> None:
    rfm = _profile(settings, store, built, "u1")["rfm"]
    assert rfm["recency_days"] == 35.0  # last order day 10, the shop's newest event day 45
    assert rfm["frequency"] == 2  # orders o1 and o2; the return is no order
    assert rfm["monetary"] == 90.0  # 2 x 10 + 1 x 80 - 1 x 10 returned
    assert rfm["avg_order"] == 50.0
    assert rfm["returns"] == 1
    assert _profile(settings, store, built, "u2")["rfm"]["monetary"] == 12.0  # the value
    assert _profile(settings, store, built, "u3")["rfm"]["monetary"] == 180.0  # catalog 90 x 2
    scores = _profile(settings, store, built, "u1")["rfm"]["score"]
    assert scores["m"] == 4 and scores["rfm"] == scores["r"] + scores["f"] + scores["m"]
    assert _profile(settings, store, built, "u4")["rfm"]["score"] is None  # never bought


def test_lifecycle_stages_against_the_thresholds(
    settings: Settings, store: Store, built: ProfileBook
) -> None:
    # under 20 gaps between orders in the shop: the defaults N = 30 and 3N = 90 days apply
    stage = {v: _profile(settings, store, built, v)["lifecycle"] for v in ("u1", "u2", "u3", "u4")}
    assert stage["u1"]["thresholds"]["active_days"] == 30.0
    assert stage["u1"]["thresholds"]["lapsed_days"] == 90.0
    assert stage["u1"]["stage"] == "at risk"  # 35 days since the last order
    assert stage["u2"]["stage"] == "new"  # first seen today
    assert stage["u3"]["stage"] == "lapsed"  # 105 days
    assert stage["u4"]["stage"] == "active"  # never bought; seen 20 days ago
    assert built.meta["stages"] == {"new": 1, "active": 1, "at risk": 1, "lapsed": 1}


def test_sessions_split_by_the_30_minute_rule(
    settings: Settings, store: Store, built: ProfileBook
) -> None:
    sessions = _profile(settings, store, built, "u1")["sessions"]
    assert [s["events"] for s in sessions] == [1, 1, 1, 3]  # newest first
    first = sessions[-1]
    assert first["start"] == "2025-01-01T10:00:00Z" and first["end"] == "2025-01-01T10:40:00Z"
    assert first["products"] == ["P1"] and first["purchased"] is True
    assert sessions[-2]["products"] == ["P3"] and sessions[-2]["purchased"] is False
    assert sessions[0]["purchased"] is False  # a return is no purchase


def test_interests_reuse_the_category_brand_and_price_shares(
    settings: Settings, store: Store, built: ProfileBook
) -> None:
    interests = _profile(settings, store, built, "u1")["interests"]
    # 3 events about P1 (Kitchen), 2 about P3 (Sport); the return shows no interest
    assert interests["categories"]["top"] == {"Kitchen": 0.6, "Sport": 0.4}
    assert interests["brands"] == {"Cosy": 0.6, "Fleet": 0.4}
    assert interests["clusters"] == []  # no product vectors in this home


def test_interest_clusters_are_named_by_their_over_represented_words(
    settings: Settings, store: Store
) -> None:
    _load(store)
    ids = [p.id for p in PRODUCTS] + [f"M{n}" for n in range(8)] + [f"S{n}" for n in range(8)]
    titles = [p.title for p in PRODUCTS] + [f"Tea Mug {n}" for n in range(8)]
    titles += [f"Running Shoe {n}" for n in range(8)]
    rng = np.random.default_rng(0)
    kitchen, sport = np.eye(8)[0], np.eye(8)[1]
    vectors = np.vstack(
        [kitchen, kitchen, sport, sport] + [kitchen] * 8 + [sport] * 8
    ) + 0.01 * rng.standard_normal((20, 8))
    clusters = cluster_products(ids, vectors, titles, k=2, seed=0)
    names = {clusters.names[clusters.label_of("P1")], clusters.names[clusters.label_of("P3")]}
    assert any("mug" in n and "tea" in n for n in names), names
    assert any("running" in n and "shoe" in n for n in names), names
    store.upsert_products(
        [Product(id=i, title=t) for i, t in zip(ids[4:], titles[4:], strict=True)]
    )
    settings = settings.model_copy(
        update={"profiles": settings.profiles.model_copy(update={"clusters": 2})}
    )
    vecs = (ids, vectors.astype(np.float32))
    book = build_profiles(store, settings.profiles, settings.events, vecs, False)
    found = _profile(settings, store, book, "u1")["interests"]["clusters"]
    kitchen_name = clusters.names[clusters.label_of("P1")]
    sport_name = clusters.names[clusters.label_of("P3")]
    assert [(c["name"], c["share"]) for c in found] == [(kitchen_name, 0.6), (sport_name, 0.4)]
    assert [c["name"] for c in book.meta["clusters"]] == sorted(names, key=clusters.names.index)


def test_unknown_visitor_is_not_found_with_the_fix(
    settings: Settings, store: Store, built: ProfileBook
) -> None:
    from shopmind.errors import NotFound

    with pytest.raises(NotFound, match="GET /visitors"):
        _profile(settings, store, built, "nobody")


def test_a_visitor_new_since_the_build_gets_numbers_from_their_events(
    settings: Settings, store: Store, built: ProfileBook
) -> None:
    store.add_events([ev("u9", "P2", "purchase", at(50), quantity=3, price=12.0, session_id="o9")])
    data = _profile(settings, store, built, "u9")
    assert data["in_build"] is False
    assert data["rfm"]["monetary"] == 36.0 and data["rfm"]["frequency"] == 1
    assert data["lifecycle"]["stage"] == "new"
    assert data["buy_again"]["probability"] is None


@pytest.fixture
def client(settings: Settings, built: ProfileBook) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_route_serves_the_profile_and_404_for_an_unknown_visitor(client: TestClient) -> None:
    ok = client.get("/visitors/u1/profile")
    assert ok.status_code == 200, ok.text
    data = ok.json()
    assert data["rfm"]["monetary"] == 90.0 and data["lifecycle"]["stage"] == "at risk"
    assert data["buy_again"]["days"] == 30 and len(data["sessions"]) == 4
    assert data["segment"] is None  # no segments found yet
    missing = client.get("/visitors/nobody/profile")
    assert missing.status_code == 404
    body = missing.json()
    assert body["error"] == "not_found" and "GET /visitors" in body["message"]
    segments = client.get("/insight/segments")
    assert segments.status_code == 404 and "analyze segments" in segments.json()["message"]


def test_cli_builds_profiles_and_prints_the_routes_json(
    settings: Settings, store: Store, client: TestClient
) -> None:
    home = str(settings.home)
    built = CliRunner().invoke(main, ["--home", home, "analyze", "profiles", "--json"])
    assert built.exit_code == 0, built.output
    summary = json.loads(built.stdout.strip().splitlines()[-1])
    assert summary["visitors"] == 4 and summary["customers"] == 3
    shown = CliRunner().invoke(main, ["--home", home, "profile", "u1", "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout.strip().splitlines()[-1])
    served = client.get("/visitors/u1/profile").json()
    served.pop("segment")
    assert data == served
    text = CliRunner().invoke(main, ["--home", home, "profile", "u1"])
    assert "at risk" in text.stdout and "2 orders" in text.stdout
    missing = CliRunner().invoke(main, ["--home", home, "profile", "nobody"])
    assert missing.exit_code == 1 and "GET /visitors" in missing.output
