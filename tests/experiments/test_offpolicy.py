"""Off-policy estimators on a log with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from shopmind.experiments.offpolicy import Slates, estimate


def _log(n: int, seed: int) -> tuple[Slates, float]:
    """One slot, two products: the logging policy shows product 0 with probability 0.8 (its
    click rate 0.1) and product 1 with 0.2 (click rate 0.4); the candidate always shows 1."""
    rng = np.random.default_rng(seed)
    shows_one = rng.random(n) < 0.2
    rate = np.where(shows_one, 0.4, 0.1)
    clicks = (rng.random(n) < rate).astype(float)[:, None]
    logging = np.where(shows_one, 0.2, 0.8)[:, None]
    target = shows_one.astype(float)[:, None]
    predicted = np.where(shows_one, 0.35, 0.1)[:, None]  # a click model that is a bit off
    predicted_target = np.full((n, 1), 0.35)
    return Slates(clicks, logging, target, predicted, predicted_target), 0.4


def test_the_estimators_find_the_candidates_click_rate_where_the_naive_one_cannot() -> None:
    slates, truth = _log(40_000, 0)
    got = estimate(slates)
    assert got["naive"]["value"] == pytest.approx(0.16, abs=0.01)  # what the log got
    for name in ("ips", "snips", "dr"):
        value = got[name]["value"]
        assert value == pytest.approx(truth, rel=0.05), name
        assert got[name]["low"] <= truth <= got[name]["high"], name
    assert got["direct"]["value"] == pytest.approx(0.35)  # the click model alone is biased
    assert got["max_weight"] == pytest.approx(5.0)


def test_slates_refuse_inconsistent_logs() -> None:
    ones = np.ones((3, 2))
    with pytest.raises(ValueError, match="target has shape"):
        Slates(ones, ones, np.ones((3, 1)))
    with pytest.raises(ValueError, match="propensity 0"):
        Slates(ones, np.zeros((3, 2)), ones)
