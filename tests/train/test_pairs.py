"""Training pairs mined from events and judgments, the split by anchor, and batching."""

from __future__ import annotations

import random

import numpy as np
import pytest

from shopmind.errors import TrainingError
from shopmind.events.models import StoredEvent
from shopmind.train import Pairs, pairs_from_events, pairs_from_judgments, pairs_from_sequences
from shopmind.train.loop import batches


def _event(
    seq: int, visitor: str, kind: str, ts: float, item: str | None = None, query: str | None = None
) -> StoredEvent:
    return StoredEvent(
        seq=seq,
        event_id=None,
        visitor=visitor,
        user_id=visitor,
        session_id="s",
        item_id=item,
        type=kind,
        value=None,
        query=query,
        position=None,
        page=None,
        ts=ts,
        context={},
    )


CATALOG = {"p1", "p2", "p3", "p4"}


def test_a_search_pairs_with_what_follows_it_in_the_visit() -> None:
    events = [
        _event(1, "u1", "search", 0, query="wireless  earbuds"),
        _event(2, "u1", "click", 10, item="p1"),
        _event(3, "u1", "purchase", 20, item="p1"),
        _event(4, "u1", "search", 30, query="usb cable"),
        _event(5, "u1", "cart", 40, item="p2"),
        _event(6, "u1", "click", 40 + 31 * 60, item="p3"),  # a new visit: no query
        _event(7, "u2", "click", 5, item="p4"),  # never searched
        _event(8, "u1", "click", 41, item="gone"),  # not in the catalog
    ]
    pairs = pairs_from_events(events, CATALOG)
    assert pairs.positives == {"wireless earbuds": {"p1": 3.0}, "usb cable": {"p2": 2.0}}


def test_sequences_pair_each_product_with_the_next() -> None:
    events = [_event(i, "u1", "view", i, item=p) for i, p in enumerate(["p1", "p2", "p2", "p3"])]
    assert pairs_from_sequences(events, CATALOG).positives == {"p1": {"p2": 1.0}, "p2": {"p3": 1.0}}


def test_judgments_give_positives_and_judged_negatives() -> None:
    judged = {"angle bracket": {"p1": 3.0, "p2": 2.5, "p3": 1.0, "p4": 2.33}}
    pairs = pairs_from_judgments(judged, CATALOG)
    assert set(pairs.positives["angle bracket"]) == {"p1", "p2"}
    assert pairs.positives["angle bracket"]["p1"] > pairs.positives["angle bracket"]["p2"]
    assert pairs.negatives == {"angle bracket": {"p3"}}


def test_judgments_for_another_catalog_name_the_unknown_ids() -> None:
    judged = {"q": {"x1": 3.0, "x2": 3.0, "p1": 3.0}}
    with pytest.raises(TrainingError, match=r"2 of the 3 judged products .*x1, x2"):
        pairs_from_judgments(judged, CATALOG)


def test_too_few_pairs_says_how_many_and_the_minimum() -> None:
    pairs = Pairs({"q": {"p1": 1.0, "p2": 1.0}}, source="search events")
    with pytest.raises(TrainingError, match=r"found 2 training pair.*at least 50 are needed"):
        pairs.require(50)


def test_split_holds_out_whole_anchors_and_sampling_keeps_the_cap() -> None:
    pairs = Pairs({f"q{i}": {f"p{j}": 1.0 for j in range(i % 3 + 1)} for i in range(100)})
    train, valid = pairs.split(0.2, seed=1)
    assert set(train.positives).isdisjoint(valid.positives)
    assert len(valid.positives) == 20 and len(train) + len(valid) == len(pairs)
    assert pairs.split(0.2, seed=1)[1].positives == valid.positives  # seeded
    assert len(pairs.sample(50, seed=0)) <= 50
    assert "q1" not in pairs.without(["Q1 "]).positives


def test_batches_never_repeat_an_anchor_or_a_product() -> None:
    pairs = [(f"q{i % 7}", f"p{i % 11}") for i in range(77)]
    out = batches(pairs, 8, random.Random(0))
    for batch in out:
        assert len({a for a, _ in batch}) == len(batch)
        assert len({p for _, p in batch}) == len(batch)
    assert sum(len(b) for b in out) >= 70  # only a last straggler may be dropped


def test_hard_negatives_skip_the_top_and_never_take_a_positive() -> None:
    from shopmind.train import mine_negatives

    ids = [f"p{i}" for i in range(10)]
    pairs = Pairs({"q": {"p1": 1.0}}, {"q": {"p9"}})

    def scorer(anchor: str) -> np.ndarray:
        return np.arange(10, 0, -1, dtype=np.float32)  # p0 first, p9 last

    none = np.zeros((1, 2), dtype=np.float32)
    mined = mine_negatives(pairs, none, none, ids, depth=6, skip=2, per_anchor=3, scorer=scorer)
    # the judged negative first, then ranks 3-6 less the positive p1: p2, p3
    assert mined == {"q": ["p9", "p2", "p3"]}
    vectors = np.eye(10, dtype=np.float32)
    by_vector = mine_negatives(pairs, vectors[[0]], vectors, ids, depth=3, skip=0, per_anchor=2)
    assert by_vector["q"][0] == "p9" and "p1" not in by_vector["q"]
