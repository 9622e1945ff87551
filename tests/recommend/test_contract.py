"""Every recommender passes the same contract on a toy shop with a known answer.

Twelve products in two worlds: 0-5 (consoles) and 6-11 (garden). Visitors stay in one world
and walk it in order (0 -> 1 -> 2 ...), so a visitor who touched 0 and 1 should be shown
the rest of the consoles world, and product 2 next.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shopmind.recommend import (
    Histories,
    Recommender,
    make_recommender,
    recommender_names,
)

N = 12
WORLD_A = set(range(6))


def toy_histories(visitors: int = 60, seed: int = 0) -> Histories:
    rng = np.random.default_rng(seed)
    out = []
    for v in range(visitors):
        base = 0 if v % 2 == 0 else 6
        start = int(rng.integers(0, 6))
        length = int(rng.integers(4, 7))
        out.append(np.array([base + (start + i) % 6 for i in range(length)]))
    return Histories(out)


def toy_vectors() -> np.ndarray:
    v = np.zeros((N, 4), dtype=np.float32)
    v[:6, 0] = 1.0
    v[6:, 1] = 1.0
    v[np.arange(N), 2] = np.linspace(0.0, 0.3, N)
    return v


SETTINGS: dict[str, dict[str, Any]] = {
    "popular": {},
    "itemknn": {"neighbours": 5},
    "ease": {"l2": 1.0},
    "als": {"factors": 4, "iterations": 10, "regularization": 0.01},
    "bpr": {"factors": 4, "iterations": 200, "regularization": 0.001},
    "content": {},
    "transitions": {},
    "sequential": {"dim": 16, "layers": 1, "heads": 1, "max_len": 8, "epochs": 40,
                   "negatives": 8, "batch_size": 16, "lr": 1e-2, "dropout": 0.0,
                   "progress": False},
}  # fmt: skip
PERSONAL = [n for n in SETTINGS if n != "popular"]


@pytest.fixture(scope="module", params=list(SETTINGS))
def fitted(request: pytest.FixtureRequest) -> Recommender:
    model = make_recommender(request.param, **SETTINGS[request.param])
    return model.fit(toy_histories(), N, toy_vectors())


def test_every_model_is_registered() -> None:
    assert set(SETTINGS) | {"hybrid"} == set(recommender_names())


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: als, bpr, content"):
        make_recommender("gorse")


def test_scores_cover_every_product(fitted: Recommender) -> None:
    scores = fitted.score(Histories.of([[0, 1], [6, 7], [3]]))
    assert scores.shape == (3, N)
    assert scores.dtype == np.float32
    assert np.isfinite(scores).all()


def test_recommend_is_batch_first_and_leaves_out_what_was_seen(fitted: Recommender) -> None:
    idx, vals = fitted.recommend(Histories.of([[0, 1], [6, 7]]), k=4)
    assert idx.shape == vals.shape == (2, 4)
    assert not {0, 1} & set(idx[0].tolist())
    assert not {6, 7} & set(idx[1].tolist())
    assert (np.diff(vals, axis=1) <= 0).all()


def test_a_visitor_gets_their_own_world(fitted: Recommender) -> None:
    if fitted.name == "popular":
        pytest.skip("the same list for everyone by design")
    idx, _ = fitted.recommend(Histories.of([[0, 1], [6, 7]]), k=2)
    assert set(idx[0].tolist()) <= WORLD_A, fitted.name
    assert not set(idx[1].tolist()) & WORLD_A, fitted.name


def test_similar_items_single_gives_1d_batch_gives_2d(fitted: Recommender) -> None:
    idx, vals = fitted.similar_items(3, k=2)
    assert idx.shape == vals.shape == (2,)
    assert 3 not in idx.tolist()
    batch, _ = fitted.similar_items(np.array([3, 9]), k=2)
    assert batch.shape == (2, 2)


def test_save_and_load_give_the_same_scores(fitted: Recommender, tmp_path: Path) -> None:
    path = fitted.save(tmp_path / "model.npz")
    again = Recommender.load(path)
    assert type(again) is type(fitted)
    h = Histories.of([[0, 1, 2], [8]])
    np.testing.assert_allclose(again.score(h), fitted.score(h), rtol=1e-5, atol=1e-5)
    assert not list(tmp_path.glob(".tmp-*"))


def test_sequential_learns_the_order() -> None:
    model = make_recommender("sequential", **SETTINGS["sequential"])
    model.fit(toy_histories(200), N, toy_vectors())
    idx, _ = model.recommend(Histories.of([[0, 1], [7, 8, 9]]), k=1)
    assert idx[:, 0].tolist() == [2, 10]


def test_hybrid_chooses_weights_on_held_out_products() -> None:
    train = toy_histories(80)
    parts = {n: make_recommender(n, **SETTINGS[n]) for n in ("popular", "transitions", "content")}
    hybrid = make_recommender("hybrid", components=parts).fit(train, N, toy_vectors())
    valid = Histories.of([[0, 1], [6, 7], [2, 3], [8, 9]])
    weights = hybrid.choose_weights(valid, np.array([2, 8, 4, 10]))  # type: ignore[attr-defined]
    assert set(weights) == set(parts)
    assert weights["transitions"] > 0  # the only model that knows the order
    idx, _ = hybrid.recommend(Histories.of([[0, 1]]), k=1)
    assert idx[0, 0] == 2


def test_content_needs_vectors() -> None:
    with pytest.raises(ValueError, match="item_vectors"):
        make_recommender("content").fit(toy_histories(), N)


def test_cold_product_is_reachable_from_its_text() -> None:
    train = Histories.of([h[h != 5] for h in toy_histories().items])  # nobody touched 5
    model = make_recommender("content").fit(train, N, toy_vectors())
    idx, _ = model.recommend(Histories.of([[3, 4]]), k=3)
    assert 5 in idx[0].tolist()


def test_sequential_keeps_to_its_time_budget() -> None:
    params = {**SETTINGS["sequential"], "epochs": 50, "max_seconds": 1e-6, "batch_size": 4}
    model = make_recommender("sequential", **params).fit(toy_histories(), N, toy_vectors())
    assert model.epochs_run == 1  # type: ignore[attr-defined]
    assert model.steps_run == 1  # type: ignore[attr-defined]  # not the epoch's 15 batches
