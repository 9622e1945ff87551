"""Serving batches concurrent visitors into one call of every model: a visitor's list must
not depend on who shared the batch, and the partial sort must pick what a full sort would
(a real SQLite store, the real engine, every served model with text vectors)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from shopmind.catalog import Product
from shopmind.config import EventsConfig, RecommendConfig
from shopmind.events import Event
from shopmind.recommend.base import rows_product
from shopmind.recommend.engine import Filters, RecommendEngine, _head, _parts_batch
from shopmind.store import Store

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
PRODUCTS = 240
CATEGORIES = ["Kitchen", "Garden", "Toys", "Audio"]


def _shop(store: Store) -> list[str]:
    """240 products in 4 categories; 120 visitors who walk one category in order."""
    rng = np.random.default_rng(3)
    store.upsert_products(
        [
            Product(id=f"p{i}", title=f"{CATEGORIES[i % 4]} item {i}", category=CATEGORIES[i % 4])
            for i in range(PRODUCTS)
        ]
    )
    events, visitors = [], []
    for v in range(120):
        start = int(rng.integers(0, PRODUCTS))
        for step in range(int(rng.integers(3, 9))):
            item = (start + 4 * step) % PRODUCTS
            kind = "purchase" if step % 5 == 4 else "view"
            when = START + timedelta(minutes=v * 30 + step)
            events.append(Event(user_id=f"v{v}", item_id=f"p{item}", type=kind, timestamp=when))
        visitors.append(f"v{v}")
    store.add_events(events)
    return visitors


@pytest.fixture
def engine(store: Store) -> tuple[RecommendEngine, Store, list[str]]:
    visitors = _shop(store)
    vectors = np.random.default_rng(5).standard_normal((PRODUCTS, 48)).astype(np.float32)
    config = RecommendConfig(
        weights={"ease": 1.0, "itemknn": 0.4, "transitions": 0.5, "content": 0.3,
                 "popular": 0.1, "sequential": 1.0},
        sequential_min_visitors=10, sequential_seconds=3.0, max_per_category=3,
    )  # fmt: skip
    ids = [f"p{i}" for i in range(PRODUCTS)]
    fitted = RecommendEngine.fit(store, EventsConfig(), config, vectors=(ids, vectors))
    assert "sequential" in fitted.model.components and "content" in fitted.model.components
    return fitted, store, visitors


def _lists(engine: RecommendEngine, store: Store, visitor: str) -> list[tuple[str, float, dict]]:  # type: ignore[type-arg]
    events = store.list_events(visitor=visitor, limit=50, types=engine.history_types)
    picks = engine.recommend(events, 10, Filters())
    return [(p.id, p.score, p.reasons.as_dict()) for p in picks]


def test_a_visitors_parts_are_the_same_alone_and_in_any_batch(
    engine: tuple[RecommendEngine, Store, list[str]],
) -> None:
    fitted, store, visitors = engine
    rows = []
    for visitor in visitors[:24]:
        h = fitted.history(store.list_events(visitor=visitor, types=fitted.history_types))
        rows.append((np.asarray(h.items, dtype=np.int64), np.asarray(h.weights, np.float32)))
    together = _parts_batch(fitted.model, rows)
    for i, row in enumerate(rows):
        (alone,) = _parts_batch(fitted.model, [row])
        pair = _parts_batch(fitted.model, [rows[(i + 7) % len(rows)], row])[1]
        assert alone.keys() == together[i].keys() == pair.keys()
        for name in alone:  # bit for bit, not approximately
            assert np.array_equal(alone[name], together[i][name]), name
            assert np.array_equal(alone[name], pair[name]), name


def test_concurrent_requests_get_exactly_their_sequential_lists(
    engine: tuple[RecommendEngine, Store, list[str]],
) -> None:
    fitted, store, visitors = engine
    alone = {v: _lists(fitted, store, v) for v in visitors[:40]}
    got: dict[str, list[tuple[str, float, dict]]] = {}  # type: ignore[type-arg]
    barrier = threading.Barrier(8)

    def worker(mine: list[str]) -> None:
        barrier.wait()
        for v in mine:
            got[v] = _lists(fitted, store, v)

    threads = [threading.Thread(target=worker, args=(visitors[n:40:8],)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == alone


def test_one_row_is_computed_as_it_is_in_a_batch() -> None:
    rng = np.random.default_rng(0)
    left = rng.standard_normal((16, 384)).astype(np.float32)
    right = rng.standard_normal((384, 6000)).astype(np.float32)
    batch = rows_product(left, right)
    for i in (0, 5, 15):
        assert np.array_equal(rows_product(left[i : i + 1], right)[0], batch[i])
    assert np.array_equal(rows_product(left[3:9], right), batch[3:9])


def test_the_partial_sort_is_the_head_of_a_stable_full_sort() -> None:
    rng = np.random.default_rng(1)
    for trial in range(200):
        n = int(rng.integers(1, 3000))
        scores = rng.integers(0, 40, n).astype(np.float32)  # many ties
        scores[rng.random(n) < 0.2] = -np.inf
        want = int(rng.integers(1, 60))
        full = np.argsort(-scores, kind="stable")
        head = _head(scores, want)
        assert len(head) >= min(want, n), trial
        assert np.array_equal(head, full[: len(head)]), trial


def test_the_category_cap_looks_past_the_first_candidates(
    engine: tuple[RecommendEngine, Store, list[str]],
) -> None:
    fitted, _, _ = engine
    kitchen = np.array([c == "Kitchen" for c in fitted.categories])
    scores = np.linspace(1.0, 0.0, PRODUCTS).astype(np.float32)
    scores[~kitchen] += 10.0  # the best 180 are the three other categories
    allowed = np.ones(PRODUCTS, dtype=bool)
    top = fitted._top(scores, allowed, 10)  # cap 3 per category: 9 from those, then Kitchen
    assert len(top) == 10
    assert [fitted.categories[i] for i in top].count("Kitchen") == 1
    assert top[-1] == int(np.flatnonzero(kitchen)[0])  # the best Kitchen, far below the 40th
