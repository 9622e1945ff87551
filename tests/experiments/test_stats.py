"""The experiment statistics: known answers, and the sequential test's promise under peeking."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from shopmind.experiments.stats import (
    always_valid_p,
    compare,
    cuped,
    estimate,
    paired_ratios,
    sample_ratio,
)


def test_estimate_is_the_mean_with_a_normal_interval() -> None:
    got = estimate([1.0, 2.0, 3.0, 4.0])
    assert got.n == 4 and got.mean == 2.5
    half = 1.959964 * np.sqrt(np.var([1, 2, 3, 4], ddof=1) / 4)
    assert got.low == pytest.approx(2.5 - half, rel=1e-5)
    assert got.high == pytest.approx(2.5 + half, rel=1e-5)


def test_compare_finds_a_real_difference_and_not_a_null_one() -> None:
    rng = np.random.default_rng(0)
    control = rng.normal(1.0, 1.0, 4000)
    better = rng.normal(1.2, 1.0, 4000)
    got = compare(control, better)
    assert got.difference == pytest.approx(better.mean() - control.mean())
    assert got.low < 0.2 < got.high
    assert got.significant and got.always_valid_p < 0.05 and got.p_value < 1e-6
    assert got.lift == pytest.approx(got.difference / control.mean())
    # the always-valid p-value is the price of peeking: never below the fixed-horizon one here
    assert got.always_valid_p >= got.p_value
    same = compare(control, rng.normal(1.0, 1.0, 4000))
    assert not same.significant


def test_the_always_valid_test_keeps_its_promise_when_peeked_at_daily() -> None:
    """200 A/A experiments, read after each of 20 days: the always-valid test's false
    positives stay under 5%, a t-test read the same way raises far more."""
    rng = np.random.default_rng(7)
    days, per_day = 20, 200
    looks = np.arange(per_day, days * per_day + 1, per_day) - 1
    always = naive = 0
    for _ in range(200):
        a = rng.binomial(1, 0.1, days * per_day).astype(float)
        b = rng.binomial(1, 0.1, days * per_day).astype(float)
        always += bool(always_valid_p(paired_ratios(a, b)[looks])[-1] < 0.05)
        n = looks + 1
        ma, mb = np.cumsum(a)[looks] / n, np.cumsum(b)[looks] / n
        se = np.sqrt((ma * (1 - ma) + mb * (1 - mb)) / n)
        naive += bool(np.any(2 * norm.sf(np.abs(ma - mb) / se) < 0.05))
    assert always / 200 <= 0.05
    assert naive / 200 > 0.10


def test_the_always_valid_p_never_rises() -> None:
    p = always_valid_p(np.array([1.0, 4.0, 2.0, 30.0, 5.0]))
    assert p.tolist() == pytest.approx([1.0, 0.25, 0.25, 1 / 30, 1 / 30])


def test_cuped_keeps_the_mean_and_removes_the_covariates_share() -> None:
    rng = np.random.default_rng(1)
    before = rng.normal(5, 2, 20_000)
    after = 0.8 * before + rng.normal(0, 1, 20_000)
    got = cuped(after, before)
    assert got.theta == pytest.approx(0.8, abs=0.02)
    assert got.adjusted.mean() == pytest.approx(after.mean())
    rho2 = np.corrcoef(before, after)[0, 1] ** 2
    assert got.variance_reduction == pytest.approx(rho2, abs=0.01)
    with pytest.raises(ValueError, match="one per unit"):
        cuped([1.0, 2.0], [1.0])


def test_sample_ratio_mismatch_is_flagged_only_when_real() -> None:
    fine = sample_ratio({"a": 5030, "b": 4970}, {"a": 0.5, "b": 0.5})
    assert not fine.mismatch and fine.p_value > 0.5
    broken = sample_ratio({"a": 5000, "b": 5400}, {"a": 0.5, "b": 0.5})
    assert broken.mismatch and broken.p_value < 0.001
    uneven = sample_ratio({"a": 9000, "b": 1000}, {"a": 0.9, "b": 0.1})
    assert not uneven.mismatch
