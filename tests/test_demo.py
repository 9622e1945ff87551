"""The bundled demo shop: a seeded multilingual catalogue and simulated visitors."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from shopmind.catalog import Product, detect_language
from shopmind.demo import demo_products, simulate_events, visitor_tastes
from shopmind.events import Event

SEED = 42
VISITORS = 300
START = 1_761_955_200.0
DAYS = 28


@pytest.fixture(scope="module")
def products() -> list[dict[str, Any]]:
    return demo_products(SEED)


@pytest.fixture(scope="module")
def events(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return simulate_events(products, n_visitors=VISITORS, seed=SEED, start=START, days=DAYS)


@pytest.fixture(scope="module")
def tastes(products: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return visitor_tastes(products, n_visitors=VISITORS, seed=SEED)


# -- catalogue --------------------------------------------------------------------------------
def test_a_few_hundred_products_in_several_categories(products: list[dict[str, Any]]) -> None:
    assert 300 <= len(products) <= 400
    ids = [p["id"] for p in products]
    assert len(set(ids)) == len(ids)
    top = {str(p["category"]).split(" > ")[0] for p in products}
    assert len(top) >= 6, top
    leaves = {p["category"] for p in products}
    assert len(leaves) >= 10


def test_titles_are_unique_and_in_both_languages(products: list[dict[str, Any]]) -> None:
    titles = [str(p["title"]) for p in products]
    assert len(set(titles)) == len(titles)
    detected = [detect_language(t) for t in titles]
    zh, en = detected.count("zh"), detected.count("en")
    assert zh >= 100, zh
    assert en >= 100, en
    # the declared language agrees with the one the title reads as
    for product, lang in zip(products, detected, strict=True):
        assert product["language"] == lang, product["title"]


def test_headphones_in_chinese_and_english(products: list[dict[str, Any]]) -> None:
    titles = [str(p["title"]) for p in products]
    assert any("无线耳机" in t or "蓝牙耳机" in t for t in titles)
    assert any("wireless" in t.lower() for t in titles)


def test_every_product_validates(products: list[dict[str, Any]]) -> None:
    for raw in products:
        product = Product.model_validate(raw)
        assert product.price is not None and product.price > 0
        assert product.currency in {"CNY", "USD"}
        assert product.category
        assert (product.currency == "CNY") == (product.language == "zh")


def test_catalogue_is_deterministic_per_seed(products: list[dict[str, Any]]) -> None:
    assert demo_products(SEED) == products
    other = demo_products(SEED + 1)
    assert other != products
    assert len(other) == len(products)


# -- visitors and events ----------------------------------------------------------------------
def test_a_few_thousand_valid_events(events: list[dict[str, Any]]) -> None:
    assert 2_000 <= len(events) <= 20_000
    for raw in events:
        Event.model_validate(raw)
    ids = [e["event_id"] for e in events]
    assert len(set(ids)) == len(ids)
    kinds = {e["type"] for e in events}
    assert {"view", "click", "cart", "purchase", "search", "impression", "rating"} <= kinds


def test_events_sorted_and_inside_the_window(events: list[dict[str, Any]]) -> None:
    stamps = [float(e["timestamp"]) for e in events]
    assert stamps == sorted(stamps)
    assert min(stamps) >= START
    assert max(stamps) < START + DAYS * 86_400


def test_events_refer_to_demo_products(
    products: list[dict[str, Any]], events: list[dict[str, Any]]
) -> None:
    ids = {p["id"] for p in products}
    for e in events:
        if e["type"] == "search":
            assert e["query"]
        else:
            assert e["item_id"] in ids


def test_events_deterministic_per_seed(
    products: list[dict[str, Any]], events: list[dict[str, Any]]
) -> None:
    again = simulate_events(products, n_visitors=VISITORS, seed=SEED, start=START, days=DAYS)
    assert again == events
    other = simulate_events(products, n_visitors=VISITORS, seed=SEED + 1, start=START, days=DAYS)
    assert other != events
    assert visitor_tastes(products, VISITORS, SEED) == visitor_tastes(products, VISITORS, SEED)
    assert visitor_tastes(products, VISITORS, SEED) != visitor_tastes(products, VISITORS, SEED + 1)


def test_tastes_structure(
    tastes: dict[str, dict[str, Any]], products: list[dict[str, Any]]
) -> None:
    assert len(tastes) == VISITORS
    leaves = {p["category"] for p in products}
    prefixes = [t["session_prefix"] for t in tastes.values()]
    assert len(set(prefixes)) == len(prefixes)
    anonymous = sum(t["user_id"] is None for t in tastes.values())
    assert 0 < anonymous < VISITORS
    for taste in tastes.values():
        assert 1 <= len(taste["categories"]) <= 2
        assert set(taste["categories"]) <= leaves
        assert taste["price_band"] in {"cheap", "mid", "premium"}
        assert taste["language"] in {"zh", "en", "both"}


def _visitor_of(tastes: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {t["session_prefix"]: key for key, t in tastes.items()}


def test_events_carry_the_visitors_identity(
    tastes: dict[str, dict[str, Any]], events: list[dict[str, Any]]
) -> None:
    by_prefix = _visitor_of(tastes)
    for e in events:
        key = by_prefix[str(e["session_id"]).rsplit("-", 1)[0]]
        assert e["user_id"] == tastes[key]["user_id"]


def test_views_follow_tastes(
    products: list[dict[str, Any]],
    tastes: dict[str, dict[str, Any]],
    events: list[dict[str, Any]],
) -> None:
    category = {p["id"]: p["category"] for p in products}
    by_prefix = _visitor_of(tastes)
    hits: dict[str, list[bool]] = defaultdict(list)
    for e in events:
        if e["type"] != "view":
            continue
        key = by_prefix[str(e["session_id"]).rsplit("-", 1)[0]]
        hits[key].append(category[e["item_id"]] in tastes[key]["categories"])
    assert len(hits) >= VISITORS * 0.9  # nearly every visitor views something
    total = sum(sum(h) for h in hits.values()) / sum(len(h) for h in hits.values())
    assert total >= 0.6, total
    shares = [sum(h) / len(h) for h in hits.values()]
    following = sum(s >= 0.6 for s in shares) / len(shares)
    assert following >= 0.8, following


def test_purchases_only_after_a_cart_in_the_same_session(events: list[dict[str, Any]]) -> None:
    carted: dict[tuple[str, str], float] = {}
    purchases = 0
    for e in events:
        key = (str(e["session_id"]), str(e["item_id"]))
        if e["type"] == "cart":
            carted.setdefault(key, float(e["timestamp"]))
        elif e["type"] == "purchase":
            purchases += 1
            assert key in carted, f"purchase without an earlier cart: {e}"
            assert carted[key] < float(e["timestamp"])
    assert purchases > 0


def test_ratings_only_for_purchased_items(events: list[dict[str, Any]]) -> None:
    bought: set[tuple[str, str]] = set()
    for e in events:
        key = (str(e["session_id"]), str(e["item_id"]))
        if e["type"] == "purchase":
            bought.add(key)
        elif e["type"] == "rating":
            assert key in bought
            assert 1.0 <= float(e["value"]) <= 5.0
