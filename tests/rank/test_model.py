"""The CTR/CVR model on tables with a known answer: metrics, learning, position bias, ESMM,
seeds, save and load, and the errors for data it cannot learn from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from shopmind.config import RankConfig
from shopmind.errors import TrainingError
from shopmind.rank import CtrModel, CtrTable, Schema, auc, fit_ctr, gauc, logloss

FAST = RankConfig(
    max_epochs=15, ensemble=1, min_rows=50, hidden=[32], lr=1e-2, batch=256, patience=6, seed=3
)


def test_auc_gauc_logloss_known_values() -> None:
    y = np.array([0, 0, 1, 1])
    assert auc(y, np.array([0.1, 0.4, 0.35, 0.8])) == pytest.approx(0.75)
    assert auc(y, np.array([0.5, 0.5, 0.5, 0.5])) == pytest.approx(0.5)  # ties count half
    assert auc(np.ones(3), np.arange(3)) == 0.5  # one class: undefined, reported as chance
    groups = np.array([0, 0, 1, 1, 2])
    y2 = np.array([0, 1, 1, 0, 1])
    s2 = np.array([0.2, 0.9, 0.1, 0.3, 0.5])  # visitor 0 perfect, 1 reversed, 2 one class
    assert gauc(y2, s2, groups) == pytest.approx(0.5)
    assert logloss(np.array([1, 0]), np.array([0.5, 0.5])) == pytest.approx(np.log(2))


def _synthetic(n: int, seed: int, positions: bool = False) -> tuple[CtrTable, np.ndarray]:
    """Visitors like items of their own group: click = like x seen(position)."""
    rng = np.random.default_rng(seed)
    visitor = rng.integers(1, 60, n)
    item = rng.integers(1, 40, n)
    like = (visitor % 4) == (item % 4)
    relevance = np.where(like, 0.7, 0.1)
    position = rng.integers(1, 11, n) if positions else np.zeros(n, np.int64)
    seen = 1.0 / np.maximum(position, 1) ** 1.0 if positions else np.ones(n)
    click = (rng.random(n) < relevance * seen).astype(np.float32)
    purchase = (click * (rng.random(n) < np.where(item % 2 == 0, 0.8, 0.05))).astype(np.float32)
    schema = Schema(
        cats=("visitor", "item"), cards=(60, 40), nums=("noise",), tasks=("click", "purchase")
    )
    table = CtrTable(
        schema,
        cats=np.stack([visitor, item], 1),
        nums=rng.normal(size=(n, 1)).astype(np.float32),
        click=click,
        group=visitor,
        purchase=purchase,
        position=position if positions else None,
    )
    return table, relevance


def test_learns_the_interaction_and_purchase_over_all_impressions() -> None:
    table, relevance = _synthetic(6_000, seed=0)
    idx = np.arange(len(table))
    model, report = fit_ctr(table, idx[:4_000], idx[4_000:5_000], FAST, progress=False)
    test = table.take(idx[5_000:])
    pred = model.predict(test)
    # the click signal is a visitor x item interaction: ids alone cannot rank it
    assert auc(relevance[5_000:] > 0.5, pred.ctr) > 0.75
    assert report.curve and report.stopped
    assert pred.cvr is not None and pred.ctcvr is not None
    even = test.cats[:, 1] % 2 == 0
    # pCVR is P(purchase | click): even items convert at 0.8, odd at 0.05
    assert pred.cvr[even].mean() > 3 * pred.cvr[~even].mean()
    assert np.all(pred.ctcvr <= pred.ctr + 1e-7)


def test_position_is_learned_in_training_and_left_out_of_serving() -> None:
    table, relevance = _synthetic(16_000, seed=1, positions=True)
    idx = np.arange(len(table))
    model, _ = fit_ctr(table, idx[:14_000], idx[14_000:15_000], FAST, progress=False)
    net = model.nets[0]
    seen = torch.sigmoid(net.position_logit.weight[1:11, 0]).detach().numpy()
    # P(seen | position) falls from the top slot to the tenth
    assert seen[0] > seen[4] > seen[9]
    # serving ranks by relevance: the position is not an input of pCTR
    test = table.take(idx[15_000:])
    moved = table.take(idx[15_000:])
    assert moved.position is not None
    moved.position = np.full(len(moved), 9)
    np.testing.assert_allclose(model.predict(test).ctr, model.predict(moved).ctr)
    assert auc(relevance[15_000:] > 0.5, model.predict(test).ctr) > 0.75


def test_same_seed_same_model_and_save_load_round_trip(tmp_path: Path) -> None:
    table, _ = _synthetic(1_500, seed=2)
    idx = np.arange(len(table))
    config = FAST.model_copy(update={"max_epochs": 2, "ensemble": 2})
    a, _ = fit_ctr(table, idx[:1_000], idx[1_000:1_200], config, progress=False)
    b, _ = fit_ctr(table, idx[:1_000], idx[1_000:1_200], config, progress=False)
    test = table.take(idx[1_200:])
    np.testing.assert_array_equal(a.predict(test).ctr, b.predict(test).ctr)
    a.save(tmp_path / "m.pt")
    loaded = CtrModel.load(tmp_path / "m.pt")
    assert len(loaded.nets) == 2
    np.testing.assert_allclose(loaded.predict(test).ctr, a.predict(test).ctr, rtol=1e-6)
    parts = loaded.contributions(test.take(np.arange(5)))
    assert parts.shape == (5, len(table.schema.fields()))


def test_too_few_rows_or_one_class_is_a_clear_error() -> None:
    table, _ = _synthetic(300, seed=3)
    idx = np.arange(300)
    with pytest.raises(TrainingError, match=r"20 training rows found, at least 50"):
        fit_ctr(table, idx[:20], idx[20:40], FAST, progress=False)
    table.click[:] = 0
    with pytest.raises(TrainingError, match="both clicked and unclicked"):
        fit_ctr(table, idx[:200], idx[200:], FAST, progress=False)
